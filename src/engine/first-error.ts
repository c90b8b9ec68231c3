import type { ExecuteOutcome } from './executor.js';

/** The first failed step of an execution, as one line for the run's summary or a rehearsal's reasons. */
export function firstError(executed: ExecuteOutcome): string | undefined {
  for (const [id, rec] of executed.steps) {
    if (rec.status === 'failed' && rec.error) return `step "${id}" failed in ${rec.error.phase}: ${rec.error.message}`;
  }
  return undefined;
}
