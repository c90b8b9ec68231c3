import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { AJV_OPTIONS, exportNameOf, META_KEY, schemaKey } from '../../../src/runbook/schema-compiled.js';
import { buildTimeSchemas, generateValidatorsModule } from '../../../src/runbook/schema-standalone.js';
import { runbookShape } from '../../../src/runbook/schema-parts.js';

// The validators `npm run build` compiles ahead of time must judge exactly like ajv.compile at run time:
// same verdict, same errors (paths, keywords, params, schema excerpts), for valid and broken runbooks.
const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = resolve(ROOT, 'test/fixtures/runbooks');
const dir = mkdtempSync(join(tmpdir(), 'drctl-validators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadGenerated(): Promise<Record<string, ValidateFunction>> {
  // resolve ajv's runtime helpers from the project, as dist/runbook/ does
  const source = generateValidatorsModule(await buildTimeSchemas()).replace(
    'createRequire(import.meta.url)',
    `createRequire(${JSON.stringify(pathToFileURL(join(ROOT, 'package.json')).href)})`,
  );
  const file = join(dir, 'validators.mjs');
  writeFileSync(file, source);
  return (await import(pathToFileURL(file).href)) as Record<string, ValidateFunction>;
}

const yamlFiles = (sub: string): string[] =>
  readdirSync(resolve(FIXTURES, sub))
    .filter((f) => f.endsWith('.yaml') && f !== 'syntax.yaml')
    .map((f) => resolve(FIXTURES, sub, f));
const samples = (): unknown[] => {
  const files = [
    ...yamlFiles('valid'),
    ...yamlFiles('invalid'),
    resolve(ROOT, 'runbooks/examples/city-cut.yaml'),
    resolve(ROOT, 'runbooks/lab/city-cut.yaml'),
    resolve(ROOT, 'runbooks/lab/city-cut-mysql.yaml'),
  ];
  const docs = files.map((f) => parse(readFileSync(f, 'utf8')) as Record<string, unknown>);
  const base = docs[0] as { spec: Record<string, unknown> };
  const probe = { name: 'p', exec: ['true'], http: { url: 'http://x' }, timeout: 'soon', expect: { exitCode: 'zero' } };
  return [
    ...docs,
    null,
    'text',
    [],
    {},
    { ...base, extra: 1 },
    {
      ...base,
      spec: {
        ...base.spec,
        readiness: [probe, { name: 'q' }],
        steadyState: [{ redis: { addr: 'x' } }],
        concurrency: 0,
        onFailure: 'panic',
      },
    },
    { ...base, spec: { ...base.spec, params: { 'bad name': {}, ok: { required: 'yes' } }, budget: '3 parsecs', steps: [] } },
    {
      ...base,
      spec: {
        ...base.spec,
        fault: { kind: 7, detect: [probe], with: [] },
        schedule: { days: 'someday' },
        stopConditions: [{ name: 's', sql: { host: 'h' } }],
      },
    },
    {
      ...base,
      spec: { ...base.spec, steps: [{ id: 'Bad_Id', kind: 'exec', needs: 'a', retries: -1, timeout: '1 h', with: 'x', colour: 'red' }] },
    },
  ];
};

describe('validators compiled at build time', () => {
  test('one per schema, named by its key', async () => {
    const mod = await loadGenerated();
    for (const schema of await buildTimeSchemas()) expect(typeof mod[exportNameOf(schemaKey(schema))]).toBe('function');
  });

  test('the runbook shape: same verdict and errors as ajv.compile', async () => {
    const mod = await loadGenerated();
    const generated = mod[exportNameOf(schemaKey(runbookShape))] as ValidateFunction;
    const compiled = new Ajv2020(AJV_OPTIONS).compile(runbookShape);
    for (const data of samples()) {
      const ok = compiled(data);
      expect(generated(data), JSON.stringify(data)).toBe(ok);
      expect(generated.errors ?? null).toEqual(compiled.errors ?? null);
    }
  });

  test("the meta-schema (checks plug-in kinds' schemas): same verdict and message as ajv", async () => {
    const mod = await loadGenerated();
    const meta = mod[exportNameOf(META_KEY)] as ValidateFunction;
    const ajv = new Ajv2020(AJV_OPTIONS);
    const schemas = [
      { type: 'object' },
      { type: 'objekt' },
      { minimum: 'x' },
      { properties: { a: { type: ['string', 'nope'] } } },
      { required: 'a' },
      { items: [] },
      true,
      5,
    ];
    for (const schema of schemas) {
      const ok = ajv.validateSchema(schema as object) as boolean;
      expect(meta(schema), JSON.stringify(schema)).toBe(ok);
      expect(ok ? '' : ajv.errorsText(meta.errors)).toBe(ok ? '' : ajv.errorsText(ajv.errors));
    }
  });

  test("every built-in kind's params: same verdict and errors as ajv.compile", async () => {
    const mod = await loadGenerated();
    const ajv = new Ajv2020(AJV_OPTIONS);
    const params = [
      {},
      { cmd: 1 },
      { apply: ['true'], unknown: true },
      { members: [{ name: 1 }], to: [] },
      { duration: 5, until: 'x' },
      [],
      'x',
    ];
    for (const schema of (await buildTimeSchemas()).slice(1)) {
      const generated = mod[exportNameOf(schemaKey(schema))] as ValidateFunction;
      const compiled = ajv.compile(schema as object);
      for (const p of params) {
        expect(generated(p)).toBe(compiled(p));
        expect(generated.errors ?? null).toEqual(compiled.errors ?? null);
      }
    }
  });
});
