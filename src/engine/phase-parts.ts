import type { EventInput, RunStatus } from '../model/events.js';
import type { RunMeta } from '../model/records.js';
import { runChecks } from './checks.js';
import type { ExecuteOutcome } from './executor.js';
import type { PhasesContext, PhasesResult } from './phases.js';
import type { RollbackItem, UndoOutcome } from './rollback.js';
import { buildSummary } from './summary.js';

/** A run's or a drill's result, and the record fields they own. */
export function phasesResult(
  ctx: PhasesContext,
  r: {
    status: RunStatus;
    executed: ExecuteOutcome | undefined;
    overruns: readonly Extract<EventInput, { type: 'budget.exceeded' }>[];
    error: string | undefined;
    halves?: RunMeta['halves'];
    undone?: ReadonlyMap<string, UndoOutcome>;
  },
): PhasesResult {
  const summary = buildSummary(
    ctx.runbook,
    r.executed,
    r.overruns.map((b) => b.stepId ?? '(total)'),
    r.error,
    r.undone,
  );
  return { status: r.status, summary, record: { halves: r.halves }, budgetExceeded: r.overruns.length > 0 };
}

/**
 * Run the readiness (or steady-state) probes; every result is journaled, with the phase it was run in
 * (a drill's three steady-state checks are told apart by it). Returns the names that failed.
 */
export function checkGroup(ctx: PhasesContext, group: 'readiness' | 'steadyState', phase?: string): Promise<string[]> {
  const never = new AbortController().signal;
  return runChecks(group === 'readiness' ? ctx.runbook.readiness : ctx.runbook.steadyState, {
    group,
    clock: ctx.clock,
    emit: ctx.emit,
    ...(phase === undefined ? {} : { phase }),
    interpolate: (v) => ctx.scope.interpolate(v),
    makeContext: (name) => ctx.makeContext(`${group}:${name}`, AbortSignal.any([ctx.abort, never]), {}),
  });
}

/** Every step that changed something, newest first: the applied ones and a failed one whose apply had begun. */
export function undoItems(ctx: PhasesContext, executed: ExecuteOutcome): RollbackItem[] {
  return [...executed.undoOrder].reverse().map((id) => {
    const step = ctx.runbook.steps.find((s) => s.id === id);
    const rec = executed.steps.get(id);
    const kind = ctx.registry.get(step?.kind ?? '');
    if (!step || !rec || !kind) throw new Error(`internal: no record of applied step ${id}`);
    const params = rec.params ?? ctx.scope.interpolate(step.with, (sid) => executed.steps.get(sid)?.outputs);
    return { stepId: id, kind, params, before: rec.before, timeoutMs: step.timeoutMs, verifyIntervalMs: step.verifyIntervalMs };
  });
}
