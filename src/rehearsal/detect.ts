import { runProbeOnce, type Interpolate } from '../kinds/probe/run-once.js';
import type { KindContext } from '../kinds/types.js';
import type { Probe } from '../runbook/types.js';

export const DETECT_POLL_MS = 100;

/**
 * Poll the detection probes (each holds once the outage is seen) until one holds or the deadline.
 * Returns the probe that saw it, or undefined when nothing did in time.
 */
export async function waitForDetection(probes: readonly Probe[], ctx: KindContext, deadlineMs: number, interpolate: Interpolate): Promise<string | undefined> {
  const end = ctx.clock.monotonic() + deadlineMs;
  while (ctx.clock.monotonic() < end && !ctx.signal.aborted) {
    const outcomes = await Promise.all(probes.map(async (p) => ({ p, o: await runProbeOnce(p, ctx, interpolate) })));
    const seen = outcomes.find((x) => x.o.kind === 'ok');
    if (seen) return seen.p.name;
    await ctx.clock.sleep(DETECT_POLL_MS, ctx.signal).catch(() => undefined);
  }
  return undefined;
}
