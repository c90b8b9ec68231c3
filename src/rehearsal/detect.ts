import { Deadline } from '../util/deadline.js';
import { runProbeOnce, type Interpolate } from '../probe/run-once.js';
import type { KindContext } from '../model/kind.js';
import type { Probe } from '../runbook/types.js';

/** How often a detection probe without its own `interval` is sampled. */
export const DETECT_POLL_MS = 100;

export interface Detection {
  /** The probe that saw the outage first. */
  readonly probe: string;
  /** clock.monotonic() when its holding sample ended. */
  readonly at: number;
}

/**
 * Sample every detection probe (each holds once the outage is seen), each at its own interval, from
 * the call on, until one holds (→ that probe and when) or `deadlineMs` passes or ctx.signal aborts
 * (→ undefined). Started at t0, while the fault is still being applied.
 */
export async function waitForDetection(probes: readonly Probe[], ctx: KindContext, deadlineMs: number, interpolate: Interpolate): Promise<Detection | undefined> {
  if (probes.length === 0) return undefined;
  const done = new AbortController();
  const deadline = new Deadline(AbortSignal.any([ctx.signal, done.signal]), deadlineMs);
  const probeCtx: KindContext = { ...ctx, signal: deadline.signal };
  const watchOne = async (p: Probe): Promise<Detection | undefined> => {
    while (!deadline.signal.aborted) {
      const o = await runProbeOnce(p, probeCtx, interpolate).catch(() => undefined); // throws only once aborted
      if (o?.kind === 'ok' && !deadline.signal.aborted) {
        const seen = { probe: p.name, at: ctx.clock.monotonic() };
        done.abort(); // the others stop
        return seen;
      }
      await ctx.clock.sleep(p.intervalMs ?? DETECT_POLL_MS, deadline.signal).catch(() => undefined);
    }
    return undefined;
  };
  const loops = probes.map(watchOne);
  void Promise.all(loops).finally(() => deadline.dispose());
  // the first probe that sees it answers at once (the others wind down behind it)
  return new Promise((resolve) => {
    let pending = loops.length;
    for (const loop of loops) {
      void loop.then((d) => {
        pending -= 1;
        if (d !== undefined) resolve(d);
        else if (pending === 0) resolve(undefined);
      });
    }
  });
}
