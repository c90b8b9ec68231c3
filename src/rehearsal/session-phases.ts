import type { createContextFactory } from '../engine/context.js';
import type { EventInput, RehearsalOutcome, RunStatus } from '../model/events.js';
import type { PhasesResult, SessionOptions } from '../engine/session.js';
import type { Clock } from '../util/clock.js';
import { runRehearsalPhases } from './phases.js';

const STATUS_OF: Readonly<Record<RehearsalOutcome, RunStatus>> = { SUCCEEDED: 'succeeded', FAILED: 'failed', INTERRUPTED: 'interrupted', SKIPPED: 'skipped' };

/** The session's rehearse mode (a run the schedule skips never gets here: see skipped-run.ts). */
export async function rehearsalPhases(
  o: SessionOptions,
  clock: Clock,
  emit: (e: EventInput) => Promise<void>,
  makeContext: ReturnType<typeof createContextFactory>,
): Promise<PhasesResult> {
  const budgetMs = o.runbook.budgetMs;
  const stepBudgetsMs = Object.fromEntries(o.runbook.steps.flatMap((s) => (s.budgetMs === undefined ? [] : [[s.id, s.budgetMs]])));
  const r = await runRehearsalPhases({
    runbook: o.runbook, registry: o.registry, clock, emit, makeContext, interpolate: o.interpolate,
    stop: o.stop, abort: o.abort, concurrency: o.concurrency,
  });
  await emit({ type: 'rehearsal.finished', outcome: r.outcome, rto: r.rto, budgetMs, reasons: r.reasons, stepBudgetsMs });
  return {
    status: STATUS_OF[r.outcome], executed: r.executed, overruns: r.overruns,
    error: r.reasons.length > 0 ? r.reasons.join('; ') : undefined, halves: undefined,
    rehearsal: { outcome: r.outcome, rtoMs: r.rto?.totalMs, budgetMs, reasons: r.reasons, rto: r.rto ?? undefined },
  };
}
