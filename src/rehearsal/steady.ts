import { runProbeUntilStable } from '../probe/stable.js';
import type { Interpolate } from '../probe/run-once.js';
import type { KindContext } from '../model/kind.js';
import type { Probe } from '../runbook/types.js';
import type { CheckGroup, EventInput } from '../model/events.js';

export interface SteadyOptions {
  readonly group: CheckGroup;
  /** Which check of the group this is, recorded with each result ('before the fault', 'recovered'...). */
  readonly phase?: string;
  readonly makeContext: (name: string) => KindContext;
  readonly emit: (e: EventInput) => Promise<void>;
  readonly interpolate: Interpolate;
  /** Wait for recovery until this deadline (ms) instead of failing at the first failure. */
  readonly untilMs?: number;
  /**
   * Waiting for recovery: sample at the rate the answer can change (probe/stable.ts adaptive) and record,
   * per probe that held, when it held (the first sample of its confirming run: clock.monotonic()).
   */
  readonly heldSince?: Map<string, number>;
}

/**
 * Steady state with tolerances and "N consecutive successes": every probe in parallel; each result is
 * recorded as a check event. Returns the names that did not hold. Rejects (with the signal's reason)
 * when the contexts' signal aborts.
 */
export async function checkSteady(probes: readonly Probe[], o: SteadyOptions): Promise<string[]> {
  const failed: string[] = [];
  await Promise.all(
    probes.map(async (p) => {
      const ctx = o.makeContext(p.name);
      const t0 = ctx.clock.monotonic();
      const r = await runProbeUntilStable(p, ctx, {
        interpolate: o.interpolate,
        ...(o.untilMs === undefined ? {} : { deadlineMs: o.untilMs, stopOnFailure: false }),
        ...(o.heldSince === undefined ? {} : { adaptive: true }),
      });
      if (!r.ok) failed.push(p.name);
      else if (r.heldSince !== undefined) o.heldSince?.set(p.name, r.heldSince);
      const streak = r.samples.length > 1 ? ` (${r.samples.length} samples)` : '';
      await o.emit({
        type: r.ok ? 'check.passed' : 'check.failed',
        group: o.group,
        name: p.name,
        detail: `${r.detail}${streak}`,
        durationMs: ctx.clock.monotonic() - t0,
        ...(o.phase === undefined ? {} : { phase: o.phase }),
      });
    }),
  );
  return failed;
}
