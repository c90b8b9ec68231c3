import type { Phases } from '../engine/phases.js';
import { buildSummary } from '../engine/summary.js';

/**
 * A rehearsal the schedule policy skipped, as a strategy of the session: its own run (record, runbook
 * copy, a short journal) with outcome SKIPPED and the policy's reason. It changes nothing, so it takes no
 * lock (locks: false): another run holding the runbook's lock does not turn cron's "not now" into
 * "refused". Nobody else writes this new run, so its records need no fence. A drill the safety lever
 * refused (mode drill) is recorded the same way, without the rehearsal's events.
 */
export function skippedRehearsalPhases(reason: string, mode: 'rehearse' | 'drill' = 'rehearse'): Phases {
  return {
    mode,
    locks: false,
    async run(ctx) {
      const { runbook } = ctx;
      // a drill the safety lever refused: the same record, without the rehearsal's part
      if (mode === 'drill') return { status: 'skipped', summary: buildSummary(runbook, undefined, [], `skipped: ${reason}`) };
      const budgetMs = runbook.budgetMs;
      const stepBudgetsMs = Object.fromEntries(runbook.steps.flatMap((s) => (s.budgetMs === undefined ? [] : [[s.id, s.budgetMs]])));
      await ctx.emit({ type: 'rehearsal.skipped', reason });
      await ctx.emit({ type: 'rehearsal.finished', outcome: 'SKIPPED', rto: null, budgetMs, reasons: [reason], stepBudgetsMs });
      return {
        status: 'skipped',
        summary: buildSummary(runbook, undefined, [], `skipped: ${reason}`),
        record: { rehearsal: { outcome: 'SKIPPED', rtoMs: undefined, budgetMs, reasons: [reason] } },
      };
    },
  };
}
