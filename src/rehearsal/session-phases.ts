import type { Phases, PhasesContext } from '../engine/phases.js';
import { buildSummary } from '../engine/summary.js';
import type { RehearsalOutcome, RunStatus } from '../model/events.js';
import type { LeverReader } from './lever-watch.js';
import { runRehearsalPhases } from './phases.js';

const STATUS_OF: Readonly<Record<RehearsalOutcome, RunStatus>> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  INTERRUPTED: 'interrupted',
  SKIPPED: 'skipped',
};

/**
 * The rehearse strategy of the session (engine/session.ts): the rehearsal's phases between run.started
 * and run.finished. A run the schedule skips never gets here: see skipped-run.ts.
 */
export function rehearsalPhases(options: RehearsalOptions = {}): Phases {
  return { mode: 'rehearse', run: (ctx) => rehearse(ctx, options) };
}

export interface RehearsalOptions {
  readonly concurrency?: number | undefined;
  /** The safety lever, watched while the rehearsal runs (lever-watch.ts). */
  readonly lever?: LeverReader | undefined;
}

async function rehearse(ctx: PhasesContext, options: RehearsalOptions) {
  const { runbook, emit } = ctx;
  const budgetMs = runbook.budgetMs;
  const stepBudgetsMs = Object.fromEntries(runbook.steps.flatMap((s) => (s.budgetMs === undefined ? [] : [[s.id, s.budgetMs]])));
  const r = await runRehearsalPhases({
    runbook,
    registry: ctx.registry,
    clock: ctx.clock,
    emit,
    makeContext: ctx.makeContext,
    interpolate: ctx.scope.interpolate,
    stop: ctx.stop,
    abort: ctx.abort,
    concurrency: options.concurrency,
    lever: options.lever,
  });
  await emit({ type: 'rehearsal.finished', outcome: r.outcome, rto: r.rto, budgetMs, reasons: r.reasons, stepBudgetsMs });
  const error = r.reasons.length > 0 ? r.reasons.join('; ') : undefined;
  const summary = buildSummary(
    runbook,
    r.executed,
    r.overruns.map((b) => b.stepId ?? '(total)'),
    error,
    r.undone,
  );
  return {
    status: STATUS_OF[r.outcome],
    summary,
    budgetExceeded: r.overruns.length > 0,
    record: { rehearsal: { outcome: r.outcome, rtoMs: r.rto?.totalMs, budgetMs, reasons: r.reasons, rto: r.rto ?? undefined } },
  };
}
