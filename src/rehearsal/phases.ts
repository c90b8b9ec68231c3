import { findBudgetOverruns } from '../engine/budgets.js';
import type { UndoOutcome } from '../engine/rollback.js';
import type { RehearsalOutcome } from '../model/events.js';
import { watchProbes } from '../probe/watch.js';
import { formatDuration } from '../util/duration.js';
import { failBackAfterFault, restoreAfterFault } from './after-fault.js';
import { NEVER, type RehearsalInput, type RehearsalResult } from './input.js';
import { runOutage, type OutageMarks } from './outage.js';
import { leverStopReason, watchLever } from './lever-watch.js';
import { checkBeforeFault } from './pre-fault.js';
import { computeRto } from './rto.js';

export type { RehearsalInput, RehearsalResult } from './input.js';

/**
 * readiness → steady state → baseline → stop conditions hold → inject (t0; detection and the stop
 * conditions watched from here) → detect → switch → recovered (steady state again) → restore (always)
 * → fail back to the baseline → steady state.
 *
 * Before t0 an interrupt means nothing is injected. From t0 on, an interrupt or a breached stop
 * condition cuts the outage short (a breach, or a second interrupt, also cancels the running steps);
 * restore, fail-back and the last steady-state check then run on their own deadlines, so the rehearsal
 * always ends with a record: SUCCEEDED, FAILED or INTERRUPTED.
 */
export async function runRehearsalPhases(o: RehearsalInput): Promise<RehearsalResult> {
  const { runbook, emit } = o;
  const interrupt = AbortSignal.any([o.stop, o.abort]);
  const pre = await checkBeforeFault(o, interrupt);
  if (!pre.ready)
    return { outcome: pre.interrupted ? 'INTERRUPTED' : 'FAILED', reasons: [pre.reason], rto: null, executed: undefined, overruns: [] };

  const reasons: string[] = [];
  const breach = new AbortController();
  const stopWatching = watchProbes(
    runbook.stopConditions,
    o.makeContext('stop-conditions', NEVER, {}),
    (b) => {
      reasons.push(`stop condition "${b.name}" breached: ${b.detail}`);
      void emit({ type: 'stop.breached', name: b.name, detail: b.detail }).catch(() => undefined); // stamped now, before what the abort cancels
      breach.abort(`stop condition "${b.name}" breached`);
    },
    { interpolate: (v) => o.interpolate(v) },
  );
  const stopLever = o.lever
    ? watchLever(o.lever, o.clock, (l) => {
        reasons.push(leverStopReason(l));
        void emit({ type: 'stop.breached', name: 'safety lever', detail: `engaged by ${l.by} since ${l.since}: ${l.reason}` }).catch(
          () => undefined,
        );
        breach.abort('the safety lever was engaged');
      })
    : async () => undefined;
  const marks: OutageMarks = {
    injected: undefined,
    t0: undefined,
    detectedAt: undefined,
    switchEnd: undefined,
    recoveredAt: undefined,
    executed: undefined,
  };
  try {
    await runOutage(
      o,
      { kind: pre.faultKind, params: pre.faultParams },
      { halt: AbortSignal.any([interrupt, breach.signal]), breach: breach.signal },
      marks,
      reasons,
    );
  } finally {
    await Promise.all([stopWatching(), stopLever()]);
    if (marks.injected) await restoreAfterFault(o, marks.injected, reasons);
  }
  const undone = new Map<string, UndoOutcome>();
  await failBackAfterFault(o, marks.executed, pre.baseline, reasons, undone, marks.injected !== undefined);

  const { t0, detectedAt, switchEnd, recoveredAt, executed } = marks;
  const rto =
    recoveredAt === undefined || executed === undefined || t0 === undefined
      ? null
      : computeRto({ t0, detectedAt: detectedAt ?? t0, switchEnd: switchEnd ?? recoveredAt, recoveredAt, executed });
  const overruns = executed && switchEnd !== undefined ? findBudgetOverruns({ ...runbook, budgetMs: undefined }, executed.steps, 0) : [];
  // a step over its budget is a finding (reported), not a failed rehearsal: the RTO budget is the objective
  for (const b of overruns) await emit(b);
  if (rto && runbook.budgetMs !== undefined && rto.totalMs > runbook.budgetMs) {
    const message = `RTO ${formatDuration(rto.totalMs)} is over the budget of ${formatDuration(runbook.budgetMs)}`;
    await emit({ type: 'budget.exceeded', stepId: undefined, durationMs: rto.totalMs, budgetMs: runbook.budgetMs, message });
    reasons.push(message);
  }
  const outcome: RehearsalOutcome = interrupt.aborted ? 'INTERRUPTED' : reasons.length === 0 ? 'SUCCEEDED' : 'FAILED';
  return { outcome, reasons, rto, executed, overruns, undone };
}
