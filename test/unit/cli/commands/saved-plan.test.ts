import { describe, expect, it } from 'vitest';
import { assertPlanFresh } from '../../../../src/cli/commands/saved-plan.js';
import { createKindRegistry } from '../../../../src/kinds/registry.js';
import { buildPlan } from '../../../../src/plan/build-plan.js';
import type { Observation } from '../../../../src/plan/observe-all.js';
import { Secret } from '../../../../src/util/secret.js';
import { createWorld, memKind, runbookOf, step } from '../../../helpers/mem-kind.js';

const registry = createKindRegistry([memKind(createWorld())]);
const runbook = runbookOf([step('cache', [], { key: 'cache', to: 'x' })]);

/** A plan of one step whose observed state is `current`, made with `params` and resolved step params `to`. */
function planOf(params: Record<string, unknown>, to: unknown, current = 'hz-a') {
  const observations = new Map<string, Observation>([
    ['cache', { stepId: 'cache', params: { key: 'cache', to }, state: { value: current }, error: undefined, durationMs: 1 }],
  ]);
  return buildPlan({
    runbook,
    registry,
    observations,
    predicted: new Map(),
    historyRuns: 0,
    now: new Date('2026-01-01T00:00:00Z'),
    params,
  });
}

describe('a saved plan approves the params and what each step would do, not only the state it observed', () => {
  it('the same params and state: fresh', () => {
    expect(() => assertPlanFresh(planOf({ to: 'sh-a' }, 'sh-a'), planOf({ to: 'sh-a' }, 'sh-a'))).not.toThrow();
  });

  it('another --set value is refused, naming the param and the step that would now do something else', () => {
    const saved = planOf({ to: 'sh-a' }, 'sh-a');
    const live = planOf({ to: 'sh-b' }, 'sh-b');
    expect(() => assertPlanFresh(saved, live)).toThrow(
      expect.objectContaining({
        exitCode: 4,
        code: 'plan-stale',
        message:
          'params differ: to (plan: "sh-a"; now: "sh-b"); what the plan approved differs for step(s) cache (would now do: cache: hz-a → sh-b); nothing was changed',
      }),
    );
  });

  it("a step's resolved params changing (an env value, an output) is refused too, naming the step", () => {
    expect(() => assertPlanFresh(planOf({}, 'sh-a'), planOf({}, ['sh-a']))).toThrow(
      /what the plan approved differs for step\(s\) cache \(would now do: /,
    );
    const withNote = (note: string) => {
      const observations = new Map<string, Observation>([
        [
          'cache',
          { stepId: 'cache', params: { key: 'cache', to: 'sh-a', note }, state: { value: 'hz-a' }, error: undefined, durationMs: 1 },
        ],
      ]);
      return buildPlan({ runbook, registry, observations, predicted: new Map(), historyRuns: 0, now: new Date(), params: {} });
    };
    expect(() => assertPlanFresh(withNote('a'), withNote('b'))).toThrow(
      'what the plan approved differs for step(s) cache (its resolved params differ)',
    );
  });

  it('secret values are left out of the fingerprint (and never written into the plan)', () => {
    const withSecret = (value: string) => {
      const observations = new Map<string, Observation>([
        [
          'cache',
          {
            stepId: 'cache',
            params: { key: 'cache', to: 'sh-a', password: new Secret(value, 'PW') },
            state: { value: 'hz-a' },
            error: undefined,
            durationMs: 1,
          },
        ],
      ]);
      return buildPlan({ runbook, registry, observations, predicted: new Map(), historyRuns: 0, now: new Date(), params: {} });
    };
    expect(withSecret('s3cret').fingerprint).toBe(withSecret('other').fingerprint);
    expect(JSON.stringify(withSecret('s3cret'))).not.toContain('s3cret');
  });
});
