import type { Runbook } from '../runbook/types.js';
import type { PriorStep } from '../model/replay.js';
import type { ExecuteOutcome, StepRecord } from './executor.js';

/** The outcome of the steps already done by earlier processes (nothing new runs). */
export function outcomeOfPrior(
  runbook: Runbook,
  prior: ReadonlyMap<string, PriorStep>,
  toUndo?: readonly { readonly stepId: string; readonly before: unknown; readonly inFlight: boolean }[],
): ExecuteOutcome {
  const steps = new Map<string, StepRecord>();
  const empty = { queuedAt: '', startedAt: undefined, endedAt: undefined, durationMs: 0, attempts: 0, phases: {} };
  for (const [id, p] of prior) {
    steps.set(id, {
      status: p.status,
      before: p.before,
      after: undefined,
      outputs: p.outputs,
      params: undefined,
      error: undefined,
      timing: p.timing ?? { ...empty, status: p.status },
    });
  }
  // a step whose apply began but has no outcome (in flight when the controller died) is undone too
  for (const u of toUndo ?? []) {
    if (u.inFlight && !steps.has(u.stepId))
      steps.set(u.stepId, {
        status: 'cancelled',
        before: u.before,
        intended: true,
        after: undefined,
        outputs: {},
        params: undefined,
        error: undefined,
        timing: { ...empty, status: 'cancelled' },
      });
  }
  for (const s of runbook.steps) {
    if (!steps.has(s.id))
      steps.set(s.id, {
        status: 'cancelled',
        before: undefined,
        after: undefined,
        outputs: {},
        params: undefined,
        error: undefined,
        timing: { ...empty, status: 'cancelled' },
      });
  }
  const appliedOrder = [...prior].filter(([, p]) => p.status === 'applied').map(([id]) => id);
  // what is left to undo, in completion order: not the steps an earlier fail-back already rolled back
  const undoOrder = toUndo ? toUndo.map((u) => u.stepId) : appliedOrder;
  return { status: 'succeeded', steps, appliedOrder, undoOrder };
}
