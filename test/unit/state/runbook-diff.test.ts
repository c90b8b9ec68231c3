import { describe, expect, it } from 'vitest';
import { diffRunbookTexts } from '../../../src/state/runbook-diff.js';

const base = `apiVersion: drctl/v1
kind: Runbook
metadata: { name: x }
spec:
  params: { to: { default: sh-a } }
  steps:
    - { id: a, kind: exec, with: { apply: [a] } }
    - { id: b, kind: exec, needs: [a], with: { apply: [b] } }
`;

describe('diffRunbookTexts: what changed since a run started', () => {
  it('names steps added, removed and changed (with the fields), params and spec sections', () => {
    const now = base
      .replace(
        '{ id: b, kind: exec, needs: [a], with: { apply: [b] } }',
        '{ id: b, kind: exec, with: { apply: [b2] } }\n    - { id: c, kind: exec, with: {} }',
      )
      .replace('default: sh-a', 'default: sh-b')
      .replace('  steps:', '  budget: 10s\n  steps:');
    expect(diffRunbookTexts(base, now)).toEqual([
      'param "to" changed',
      'step "c" added',
      'step "b" changed (needs, with)',
      'spec.budget added',
    ]);
    expect(diffRunbookTexts(base, base.replace('    - { id: a, kind: exec, with: { apply: [a] } }\n', ''))).toEqual(['step "a" removed']);
  });

  it('says so when only comments or formatting changed', () => {
    expect(diffRunbookTexts(base, `# a comment\n${base}`)).toEqual(['only comments or formatting changed']);
  });
});
