import type { RtoBreakdown } from '../engine/events.js';
import type { ExecuteOutcome } from '../engine/executor.js';

/** RTO = recovered − t0, split into detection, the switch (and each step's time) and convergence. Pure. */
export function computeRto(m: { t0: number; detectedAt: number; switchEnd: number; recoveredAt: number; executed: ExecuteOutcome }): RtoBreakdown {
  const steps: Record<string, number> = {};
  for (const [id, rec] of m.executed.steps) if (rec.timing.startedAt !== undefined) steps[id] = Math.round(rec.timing.durationMs);
  return {
    totalMs: Math.round(m.recoveredAt - m.t0),
    detectionMs: Math.round(m.detectedAt - m.t0),
    switchMs: Math.round(m.switchEnd - m.detectedAt),
    convergenceMs: Math.round(m.recoveredAt - m.switchEnd),
    steps,
  };
}
