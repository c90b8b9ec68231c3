import type { RtoBreakdown } from '../model/events.js';
import type { ExecuteOutcome } from '../engine/executor.js';

/**
 * RTO = recovered − t0 (the cut: the fault's apply starts), split into detection (t0 → detected), the
 * switch (detected → the last step ends; each step's time beside it) and convergence (→ steady state
 * holds again). Each mark is rounded once, as an offset from t0, so the parts add up to the total
 * exactly. Pure.
 */
export function computeRto(m: {
  t0: number;
  detectedAt: number;
  switchEnd: number;
  recoveredAt: number;
  executed: ExecuteOutcome;
}): RtoBreakdown {
  const steps: Record<string, number> = {};
  for (const [id, rec] of m.executed.steps) if (rec.timing.startedAt !== undefined) steps[id] = Math.round(rec.timing.durationMs);
  const detected = Math.round(m.detectedAt - m.t0);
  const switched = Math.max(detected, Math.round(m.switchEnd - m.t0));
  const recovered = Math.max(switched, Math.round(m.recoveredAt - m.t0));
  return { totalMs: recovered, detectionMs: detected, switchMs: switched - detected, convergenceMs: recovered - switched, steps };
}
