import { describe, expect, test } from 'vitest';
import { execKind } from '../../../src/kinds/exec.js';
import { httpKind } from '../../../src/kinds/http.js';
import { faultFreezeKind } from '../../../src/kinds/fault/freeze.js';
import { createKindRegistry } from '../../../src/kinds/registry.js';
import { validateRunbookData } from '../../../src/runbook/validate.js';
import { parseYamlText } from '../../../src/yaml/file.js';

// spec.fault must be one a rehearsal can take back: validate rejects a fault whose params define no way back.
const registry = createKindRegistry([execKind, httpKind, faultFreezeKind]);
const check = (fault: string): string[] => {
  const text = `apiVersion: drctl/v1\nkind: Runbook\nmetadata: { name: t }\nspec:\n  fault:\n${fault}  steps:\n    - { id: a, kind: exec, with: { apply: [x] } }\n`;
  return validateRunbookData(parseYamlText('/t.yaml', text), registry).map(
    (d) => `${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`,
  );
};

describe('spec.fault must be reversible', () => {
  test.each([
    ['an exec fault without rollback', '    kind: exec\n    with:\n      apply: [touch, /tmp/cut]\n', 'exec'],
    ['an http fault without rollback', '    kind: http\n    with:\n      request: { url: "http://127.0.0.1:1/cut" }\n', 'http'],
  ])('%s is an error at its with: block', (_name, fault, kind) => {
    expect(check(fault)).toEqual([`8:7 error irreversible-fault: the fault (${kind}) cannot be restored: its params define no way back`]);
  });

  test('with a rollback, or a kind that is always reversible, it is valid', () => {
    expect(check('    kind: exec\n    with:\n      apply: [touch, /tmp/cut]\n      rollback: [rm, -f, /tmp/cut]\n')).toEqual([]);
    expect(check('    kind: fault.freeze\n    with: { labDir: .lab, dcs: [hz-a] }\n')).toEqual([]);
  });

  test('params that do not fit the kind are reported once, by the params check', () => {
    const problems = check('    kind: exec\n    with:\n      cmd: [touch, /tmp/cut]\n');
    expect(problems.some((p) => p.includes('irreversible-fault'))).toBe(false);
    expect(problems.length).toBeGreaterThan(0);
  });
});
