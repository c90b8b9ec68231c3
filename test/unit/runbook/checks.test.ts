import { describe, expect, test } from 'vitest';
import { parseYamlText } from '../../../src/yaml/file.js';
import { validateRunbookData } from '../../../src/runbook/validate.js';
import { fakeRegistry } from './fake-kinds.js';

const check = (body: string): string[] => {
  const text = `apiVersion: drctl/v1\nkind: Runbook\nmetadata: { name: t }\nspec:\n${body}`;
  return validateRunbookData(parseYamlText('/t.yaml', text), fakeRegistry()).map(
    (d) => `${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`,
  );
};

describe('static checks', () => {
  test('env and secret references are free; transitive needs make outputs readable', () => {
    expect(
      check(
        [
          '  steps:',
          '    - { id: a, kind: redis.failover, with: { master: m, to: "${env.TARGET}" } }',
          '    - { id: b, kind: exec, needs: [a], with: { cmd: [x] } }',
          '    - { id: c, kind: exec, needs: [b], with: { cmd: ["${steps.a.outputs.master}", "${secret.TOKEN}"] } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  test('readiness probes cannot read step outputs; unknown roots are errors', () => {
    expect(
      check(
        [
          '  readiness:',
          '    - { name: r, exec: [x, "${steps.a.outputs.master}", "${vault.x}"] }',
          '  steps:',
          '    - { id: a, kind: redis.failover, with: { master: m, to: t } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '6:29 error ref-not-needed: ${steps.a.outputs.master}: readiness probes run before any step, so step outputs do not exist yet',
      '6:58 error bad-reference: unknown reference root "vault" in "${vault.x}": use ${params.NAME}, ${env.NAME}, ${secret.NAME} or ${steps.ID.outputs.NAME}',
    ]);
  });

  test('the rollback warning only applies to static params', () => {
    const steps = (question: string) => `  onFailure: rollback\n  steps:\n    - { id: g, kind: gate, with: { question: "${question}" } }\n`;
    expect(check(steps('go?'))).toEqual([
      '7:22 warning irreversible-step: step "g" (gate) cannot be rolled back, but spec.onFailure is rollback',
    ]);
    expect(check(steps('go ${params.x}?').replace('  steps', '  params: { x: {} }\n  steps'))).toEqual([]);
  });

  test('a cycle is still reported when another step has schema errors; two cycles are reported separately', () => {
    expect(
      check(
        [
          '  steps:',
          '    - { id: a, kind: exec, needs: [b], with: { cmd: [x] } }',
          '    - { id: b, kind: exec, needs: [a], with: { cmd: [x] }, timeout: forever }',
          '    - { id: c, kind: exec, needs: [c], with: { cmd: [x] } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '6:36 error needs-cycle: dependency cycle: a → b → a',
      '7:69 error bad-duration: bad duration "forever" for timeout: use e.g. 500ms, 30s, 1m30s',
      '8:36 error needs-cycle: dependency cycle: c → c',
    ]);
  });
});
