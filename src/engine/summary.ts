import { criticalPath } from '../plan/graph.js';
import type { Runbook } from '../runbook/types.js';
import type { RunSummary } from '../model/events.js';
import type { ExecuteOutcome } from './executor.js';
import type { UndoOutcome } from './rollback.js';

/**
 * The run's summary: each step's status and time, and the critical path by actual durations (pure). A
 * step a fail-back (or onFailure: rollback) put back as it was is `rolled-back`, not `applied`; one its undo
 * found already as it was (nothing undone) is `already-as-before`.
 */
export function buildSummary(
  runbook: Runbook,
  executed: ExecuteOutcome | undefined,
  budgetExceeded: readonly string[],
  error: string | undefined,
  undone?: ReadonlyMap<string, UndoOutcome>,
): RunSummary {
  const steps: Record<string, { status: RunSummary['steps'][string]['status']; durationMs: number }> = {};
  for (const s of runbook.steps) {
    const rec = executed?.steps.get(s.id);
    const back = undone?.get(s.id)?.status;
    const status = back === 'rolled-back' || back === 'already-as-before' ? back : (rec?.status ?? 'waiting');
    steps[s.id] = { status, durationMs: rec?.timing.durationMs ?? 0 };
  }
  // no step ran (refused, skipped by the schedule): there is no critical path to speak of
  const cp = executed ? criticalPath(runbook.steps, (id) => steps[id]?.durationMs ?? 0) : { path: [], totalMs: 0 };
  return { steps, criticalPath: cp.path, criticalPathMs: cp.totalMs, budgetExceeded, ...(error === undefined ? {} : { error }) };
}
