import type { Runbook } from '../runbook/types.js';
import type { PriorStep } from '../model/replay.js';
import { emptyTiming, recordOfPrior, type ExecuteOutcome, type StepRecord } from './executor.js';

/** The outcome of the steps already done by earlier processes (nothing new runs). */
export function outcomeOfPrior(
  runbook: Runbook,
  prior: ReadonlyMap<string, PriorStep>,
  toUndo?: readonly { readonly stepId: string; readonly before: unknown; readonly inFlight: boolean }[],
): ExecuteOutcome {
  const steps = new Map<string, StepRecord>();
  for (const [id, p] of prior) steps.set(id, recordOfPrior(p, emptyTiming('', p.status)));
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
        timing: emptyTiming('', 'cancelled'),
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
        timing: emptyTiming('', 'cancelled'),
      });
  }
  const appliedOrder = [...prior].filter(([, p]) => p.status === 'applied').map(([id]) => id);
  // what is left to undo, in completion order: not the steps an earlier fail-back already rolled back
  const undoOrder = toUndo ? toUndo.map((u) => u.stepId) : appliedOrder;
  return { status: 'succeeded', steps, appliedOrder, undoOrder };
}
