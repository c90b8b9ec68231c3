import type { EngineEvent } from '../model/events.js';

/**
 * When in the run a check ran, for journals whose check records carry no phase (drills before phases
 * were recorded): by the check's place in the journal, not by its time. Readiness runs before any change;
 * a drill's steady state before its first step, after its switch, or after its fail-back began.
 */
export function checkPhases(events: readonly EngineEvent[]): ReadonlyMap<EngineEvent, string> {
  const out = new Map<EngineEvent, string>();
  let stepsBegan = false;
  let failingBack = false;
  for (const e of events) {
    if (e.type === 'step.started' || e.type === 'step.intent' || e.type === 'step.skipped') stepsBegan = true;
    else if (e.type === 'rollback.started') failingBack = true;
    else if (e.type === 'check.passed' || e.type === 'check.failed') {
      const phase =
        e.phase ??
        (e.group === 'readiness'
          ? 'before any change'
          : failingBack
            ? 'after fail-back'
            : stepsBegan
              ? 'after the switch'
              : 'before the drill');
      out.set(e, phase);
    }
  }
  return out;
}
