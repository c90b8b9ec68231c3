import { describe, expect, test } from 'vitest';
import { parseYamlText } from '../../../src/yaml/file.js';
import { validateRunbookData } from '../../../src/runbook/validate.js';
import { fakeRegistry } from './fake-kinds.js';

/** Plain-English messages for shape problems: never ajv's wording, one message per location. */
const check = (body: string): string[] => {
  const text = `apiVersion: drctl/v1\nkind: Runbook\nmetadata: { name: t }\nspec:\n${body}`;
  return validateRunbookData(parseYamlText('/t.yaml', text), fakeRegistry()).map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);
};

describe('schema error translation', () => {
  test('enum with did-you-mean, integer bounds, kebab-case ids', () => {
    expect(
      check('  onFailure: rollbak\n  defaults: { retries: -1 }\n  steps:\n    - { id: Bad_Id, kind: exec, with: { cmd: [a] } }\n'),
    ).toEqual([
      '5:14 bad-value: spec.onFailure must be one of "stop", "rollback", got "rollbak" (did you mean "rollback"?)',
      '6:24 bad-value: spec.defaults.retries must be an integer ≥ 0, got -1',
      '8:13 bad-value: id in step "Bad_Id" must be kebab-case (lowercase letters, digits and single dashes, e.g. db-election), got "Bad_Id"',
    ]);
  });

  test('probes need exactly one of exec/http; expect is checked per probe type', () => {
    expect(
      check(
        '  readiness:\n    - { name: a }\n    - { name: b, exec: [x], http: { url: "http://h/" } }\n    - { name: c, exec: [x], expect: { status: [200] } }\n  steps: [{ id: s, kind: exec, with: { cmd: [a] } }]\n',
      ),
    ).toEqual([
      '6:7 bad-value: spec.readiness[0] needs exactly one of "exec" or "http" or "redis" or "sql"',
      '7:7 bad-value: spec.readiness[1] must have only one of "exec" or "http" or "redis" or "sql", not several',
      '8:39 unknown-field: unknown field "status" in spec.readiness[2].expect',
    ]);
  });

  test('a redis probe through Sentinel: an empty master name, a sentinelPassword without master', () => {
    expect(
      check(
        '  readiness:\n    - { name: a, redis: { addr: "h:1", master: "", command: [ROLE] } }\n    - { name: b, redis: { addr: "h:1", sentinelPassword: x, command: [ROLE] } }\n  steps: [{ id: s, kind: exec, with: { cmd: [a] } }]\n',
      ),
    ).toEqual([
      '6:48 bad-value: spec.readiness[0].redis.master must not be empty',
      '7:40 missing-field: "sentinelPassword" needs "master" beside it in spec.readiness[1].redis',
    ]);
  });

  test('several missing fields at one place make one message; a misspelt key does not also report the missing one', () => {
    expect(check('  steps:\n    - description: nothing else\n    - { id: b, kidn: exec }\n')).toEqual([
      '6:7 missing-field: missing required fields "id" and "kind" in step #1',
      '7:16 unknown-field: unknown field "kidn" in step "b" (did you mean "kind"?)',
    ]);
  });

  test('a whole ${...} reference may stand for any type inside with:, but not elsewhere', () => {
    expect(
      check(
        '  params: { cut: {} }\n  concurrency: "${params.n}"\n  steps:\n    - { id: r, kind: rules.flip, with: { cut: "${params.cut}" } }\n',
      ),
    ).toEqual(['6:16 wrong-type: spec.concurrency must be an integer ≥ 1, got "${params.n}"']);
  });

  test("a kind's oneOf of required fields reads as a choice", () => {
    expect(check('  steps:\n    - { id: w, kind: wait, with: {} }\n')).toEqual([
      '6:34 bad-value: with in step "w" needs exactly one of "duration" or "until"',
    ]);
  });

  test("a missing with: block reports the kind's required params at the step", () => {
    expect(check('  steps:\n    - id: c\n      kind: redis.failover\n')).toEqual([
      '6:7 missing-field: missing required fields "master" and "to" in "with" of step "c"',
    ]);
  });

  test('an empty file and a non-map document', () => {
    expect(validateRunbookData(parseYamlText('/e.yaml', ''), fakeRegistry())[0]?.message).toBe('the runbook is empty');
    expect(validateRunbookData(parseYamlText('/e.yaml', '- a\n'), fakeRegistry())[0]).toMatchObject({
      code: 'wrong-type',
      line: 1,
      column: 1,
    });
  });
});
