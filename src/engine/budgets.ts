import type { Runbook } from '../runbook/types.js';
import { formatDuration } from '../util/duration.js';
import type { EventInput } from '../model/events.js';
import type { StepRecord } from './executor.js';

/** Budget overruns of steps and of the whole switch, as events (pure). */
export function findBudgetOverruns(
  runbook: Runbook,
  steps: ReadonlyMap<string, StepRecord>,
  switchMs: number,
): Extract<EventInput, { type: 'budget.exceeded' }>[] {
  const out: Extract<EventInput, { type: 'budget.exceeded' }>[] = [];
  for (const s of runbook.steps) {
    const rec = steps.get(s.id);
    if (s.budgetMs === undefined || !rec || rec.timing.startedAt === undefined) continue;
    if (rec.timing.durationMs > s.budgetMs) {
      out.push({
        type: 'budget.exceeded',
        stepId: s.id,
        durationMs: rec.timing.durationMs,
        budgetMs: s.budgetMs,
        message: `step "${s.id}" took ${formatDuration(rec.timing.durationMs)}, over its budget of ${formatDuration(s.budgetMs)}`,
      });
    }
  }
  if (runbook.budgetMs !== undefined && switchMs > runbook.budgetMs) {
    out.push({
      type: 'budget.exceeded',
      stepId: undefined,
      durationMs: switchMs,
      budgetMs: runbook.budgetMs,
      message: `the switch took ${formatDuration(switchMs)}, over the runbook's budget of ${formatDuration(runbook.budgetMs)}`,
    });
  }
  return out;
}
