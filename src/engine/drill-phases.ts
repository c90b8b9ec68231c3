import type { EventInput, RunStatus } from '../model/events.js';
import type { ExecuteOutcome } from './executor.js';
import type { PhasesContext, PhasesResult } from './phases.js';
import { rollbackSteps, type UndoOutcome } from './rollback.js';
import { checkGroup, phasesResult, undoItems } from './phase-parts.js';

export interface SwitchHalf {
  readonly status: RunStatus;
  readonly executed: ExecuteOutcome;
  readonly overruns: readonly Extract<EventInput, { type: 'budget.exceeded' }>[];
  readonly error: string | undefined;
}

/**
 * The drill's second half: verify the switched state, then fail back everything that changed, in reverse
 * order, then verify again. A drill that lost its lock or journal fails back no further; a second
 * interrupt (abort) leaves the fail-back to `drctl resume`.
 */
export async function failBackDrill(ctx: PhasesContext, half: SwitchHalf): Promise<PhasesResult> {
  const { runbook, clock, emit } = ctx;
  const { executed, overruns } = half;
  let { status, error } = half;
  if (status === 'succeeded' && runbook.steadyState.length > 0) {
    const off = await checkGroup(ctx, 'steadyState', 'after the switch');
    if (off.length > 0) {
      status = 'failed';
      error = `steady state does not hold after the switch (${off.join(', ')})`;
    }
  }
  if (ctx.lost.aborted)
    return phasesResult(ctx, {
      status: 'failed',
      executed,
      overruns,
      error: String(ctx.lost.reason),
      halves: { switch: status, failBack: 'skipped' },
    });
  if (ctx.abort.aborted)
    return phasesResult(ctx, { status: 'interrupted', executed, overruns, error, halves: { switch: status, failBack: 'skipped' } });
  const undone = new Map<string, UndoOutcome>();
  const back = await rollbackSteps(undoItems(ctx, executed), {
    reason: status === 'succeeded' ? 'drill: fail back' : `drill: fail back after ${status} switch`,
    clock,
    emit,
    abort: ctx.abort,
    halt: ctx.lost,
    makeContext: ctx.makeContext,
    outcomes: undone,
  });
  let failBack: RunStatus = back ? 'succeeded' : 'failed';
  if (back && runbook.steadyState.length > 0) {
    const off = await checkGroup(ctx, 'steadyState', 'after fail-back');
    if (off.length > 0) {
      failBack = 'failed';
      error = error ?? `steady state does not hold after fail-back (${off.join(', ')})`;
    }
  }
  if (!back) error = error ?? 'fail-back incomplete: see the journal';
  // the runbook's budget is the switch's objective: a drill over it failed. A step over its own budget is
  // a finding (event, summary, report), not a failure: step budgets say where the time went, and a busy
  // CI runner must not fail a drill whose switch met its objective (README, Budgets).
  const overObjective = overruns.filter((b) => b.stepId === undefined);
  if (overObjective.length > 0 && status === 'succeeded') {
    status = 'failed';
    error = overObjective.map((b) => b.message).join('; ');
  }
  const overall: RunStatus =
    executed.status === 'interrupted' ? 'interrupted' : status === 'succeeded' && failBack === 'succeeded' ? 'succeeded' : 'failed';
  return phasesResult(ctx, { status: overall, executed, overruns, error, halves: { switch: status, failBack }, undone });
}
