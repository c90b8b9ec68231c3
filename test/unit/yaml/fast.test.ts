import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { parseSimpleYaml } from '../../../src/yaml/fast.js';
import { parseYamlText } from '../../../src/yaml/file.js';

// The fast reader must give exactly what the `yaml` package gives, or give up (undefined) — never a
// different value, and never a value for a text `yaml` rejects.
const ROOT = resolve(import.meta.dirname, '../../..');

let read = 0;
function agrees(text: string): boolean {
  const fast = parseSimpleYaml(text);
  if (fast === undefined) return true;
  read++;
  const doc = parseDocument(text, { uniqueKeys: true });
  expect(doc.errors, text).toEqual([]);
  expect(doc.warnings, text).toEqual([]);
  expect(fast.value, text).toStrictEqual(doc.toJS());
  return true;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

describe('parseSimpleYaml', () => {
  test('reads the repository runbooks, topologies and fixtures as `yaml` does', () => {
    const files = [...yamlFiles(resolve(ROOT, 'runbooks')), ...yamlFiles(resolve(ROOT, 'test/fixtures'))];
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) agrees(readFileSync(f, 'utf8'));
    // the runbooks users write are in the subset (else the fast path would not help them)
    for (const f of ['runbooks/examples/city-cut.yaml', 'runbooks/lab/city-cut.yaml', 'runbooks/lab/topology.yaml']) {
      expect(parseSimpleYaml(readFileSync(resolve(ROOT, f), 'utf8')), f).toBeDefined();
    }
  });

  test('hand-written corner cases', () => {
    const cases = [
      'a: 1\nb: -2\nc: 1.5\nd: .5\ne: 1e3\nf: +7\ng: 1.\nh: -0\n',
      'a: true\nb: False\nc: TRUE\nd: ~\ne: null\nf: NULL\ng:\nh: yes\ni: on\n',
      'a: 0x1F\nb: 0o17\nc: .inf\nd: .nan\ne: 1234567890123456789\n',
      'a: "x\\ty\\u00e9\\\\\\"\\/"\nb: \'it\'\'s\'\nc: "\\q"\n',
      'a: [1, "two", \'three\', [4, [5]], {x: 1, y: [2]}]\nb: []\nc: {}\nd: [ ]\ne: { a: b }\n',
      'a: x # comment\nb: x#y\nc: "x # y" # c\n# top\n  # indented comment\nd: -c\ne: ?x\nf: :x\n',
      'list:\n- a\n- b\nmap:\n  k: v\n  - x\n',
      'steps:\n  - id: a\n    kind: exec\n    with: { apply: [sh, -c, "echo ${params.to} > f"] }\n  - id: b\n    needs: [a]\n',
      '- - a\n  - b\n- c: d\n  e: f\n-\n  g: h\n- \n',
      'a:\n  b:\n    c: 1\n  d: 2\ne: 3\n',
      'a: 1\n  b: 2\n',
      'a: b: c\n',
      'a: - b\n',
      'a: |\n  x\n',
      'a: >\n  x\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: 1\na: 2\n',
      '---\na: 1\n',
      'a: "unterminated\n  rest"\n',
      'a: plain\n  continued\n',
      '"q": 1\n',
      '? a\n: b\n',
      'a: [1, 2,]\n',
      'a: {b: }\n',
      'a: [b: c]\n',
      'a: {"b": 1}\n',
      '__proto__: 1\n',
      '1: one\n',
      'true: t\n',
      'a : 1\n',
      'a:\tb\n',
      'a: b\r\nc: d\r\n',
      '',
      '# only a comment\n',
      'scalar\n',
      '[1, 2]\n',
      'a: x]\n',
      'a: [x\n',
      'a: {x: 1\n',
      'url: http://example.test:8080/x?y=1#frag\nport: "5432"\nempty: ""\nsq: \'\'\n',
      'a: x,y\nb: [x y, z]\nc: {k: v w}\n',
      'a: -\n',
      'a: ?\n',
      'a: - \n',
      'k: [a, -b, -1, ?c]\n',
      'k: "\\x41\\u0042"\n',
      'k: "\\x4"\n',
      'k: value   \n',
    ];
    for (const text of cases) agrees(text);
    expect(parseSimpleYaml('a: |\n  x\n')).toBeUndefined();
    expect(parseSimpleYaml('a: 1\na: 2\n')).toBeUndefined();
  });

  const options = fc.record({
    flowLevel: fc.constantFrom(undefined, 0, 1, 2, 3),
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE') as fc.Arbitrary<'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'>,
  });
  const documents = (key: fc.Arbitrary<string>, scalar: fc.Arbitrary<unknown>) => {
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    }));
    return fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 });
  };
  const write = (
    doc: unknown,
    o: { flowLevel: number | undefined; indent: number; indentSeq: boolean; defaultStringType: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' },
  ): string => {
    const { flowLevel, ...rest } = o;
    return stringify(doc, { ...rest, ...(flowLevel === undefined ? {} : { flowLevel }) });
  };

  test('random runbook-like documents in every layout `yaml` writes', () => {
    const key = fc.constantFrom('id', 'kind', 'needs', 'with', 'apply', 'a', 'b-c', 'x.y', 'k_1', '$k', 'url');
    const text = fc.stringMatching(/^[a-zA-Z0-9 ${}./:#'"_-]{0,12}$/);
    const scalar = fc.oneof(
      text,
      fc.integer(),
      fc.integer().map((n) => n / 8),
      fc.boolean(),
      fc.constant(null),
    );
    const before = read;
    fc.assert(
      fc.property(documents(key, scalar), options, (doc, o) => agrees(write(doc, o))),
      { numRuns: 1500 },
    );
    expect(read - before).toBeGreaterThan(750); // most are in the subset: the comparison means something
  });

  test('random documents with anything in them: never a different value', () => {
    const key = fc.oneof(fc.constantFrom('id', 'true', '1', 'null', 'a b', '-a', 'k:', '__proto__', '<<'), fc.string({ maxLength: 6 }));
    const str = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        'true',
        'True',
        'no',
        'null',
        '~',
        '1',
        '-1',
        '1.5',
        '.5',
        '1e3',
        '0x1F',
        '0o7',
        '.inf',
        '-',
        '- x',
        '?',
        ':',
        'a: b',
        'a #b',
        'a#b',
        '#',
        "'",
        '"',
        '[x]',
        '{x}',
        'a,b',
        '${params.x}',
        '-c',
        'é',
        '\\',
        '\n',
        '\t',
        '\u2028',
      ),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    );
    const scalar = fc.oneof(str, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(documents(key, scalar), options, (doc, o) => agrees(write(doc, o))),
      { numRuns: 1500 },
    );
  });

  test('mutated runbooks (a character inserted, deleted or replaced): never a different value', () => {
    const texts = ['runbooks/examples/city-cut.yaml', 'runbooks/lab/city-cut.yaml', 'test/fixtures/runbooks/valid/city-cut.yaml'].map((f) =>
      readFileSync(resolve(ROOT, f), 'utf8'),
    );
    const edit = fc.record({
      doc: fc.nat(texts.length - 1),
      at: fc.nat(),
      drop: fc.nat(2),
      insert: fc.stringMatching(/^[ \n:#"'[\]{},&*!|>-]{0,2}$/),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let text = texts[edits[0]?.doc ?? 0] as string;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.drop);
        }
        return agrees(text);
      }),
      { numRuns: 1500 },
    );
  });

  test('a fast-read file still reports positions: its source map is built on first use', () => {
    const text = 'apiVersion: drctl/v1\nkind: Runbook\nspec:\n  steps:\n    - id: a\n      kind: exec\n';
    const parsed = parseYamlText('/x.yaml', text);
    expect(parsed.data).toEqual({ apiVersion: 'drctl/v1', kind: 'Runbook', spec: { steps: [{ id: 'a', kind: 'exec' }] } });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.sourceMap.locate(['spec', 'steps', 0, 'kind'])).toMatchObject({ line: 6, column: 13 });
    expect(parsed.sourceMap.locateKey(['spec', 'steps', 0, 'id'])).toMatchObject({ line: 5, column: 7 });
  });
});
