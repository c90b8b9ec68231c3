import { Deadline } from '../util/deadline.js';
import { subscribeProbe, type Wakeup } from '../probe/notify.js';
import { runProbeOnce, type Interpolate } from '../probe/run-once.js';
import type { KindContext } from '../model/kind.js';
import type { Probe } from '../runbook/types.js';

/** How often a detection probe without its own `interval` is sampled. */
export const DETECT_POLL_MS = 100;
/** ...and a subscribed one, between messages (a fallback: a message is what wakes it). */
export const DETECT_SUBSCRIBED_POLL_MS = 1000;

export interface Detection {
  /** The probe that saw the outage first (detectAll: the probes, in the order they held). */
  readonly probe: string;
  /** clock.monotonic() when its holding sample ended (detectAll: the last one's). */
  readonly at: number;
  /** Probes woken by a message (pub/sub) rather than polled. */
  readonly notified: readonly string[];
}

export interface DetectOptions {
  /** Detected when every probe has held once (default: the first one to hold). */
  readonly all?: boolean;
}

/**
 * Sample every detection probe (each holds once the outage is seen), each at its own interval — or, a
 * probe that subscribes (a redis probe's `subscribe`), on each message from the estate — from the call
 * on, until one holds (all: until each has held once) → the probe(s) and when; or `deadlineMs` passes or
 * ctx.signal aborts → undefined. Started at t0, while the fault is still being applied.
 */
export async function waitForDetection(
  probes: readonly Probe[],
  ctx: KindContext,
  deadlineMs: number,
  interpolate: Interpolate,
  o: DetectOptions = {},
): Promise<Detection | undefined> {
  if (probes.length === 0) return undefined;
  const done = new AbortController();
  const deadline = new Deadline(AbortSignal.any([ctx.signal, done.signal]), deadlineMs);
  const probeCtx: KindContext = { ...ctx, signal: deadline.signal };
  const held: { probe: string; at: number }[] = [];
  const notified = new Set<string>();
  const watchOne = async (p: Probe): Promise<boolean> => {
    // subscribed before the first sample: a message between the two is not missed
    const wakeup: Wakeup | undefined = await subscribeProbe(p, interpolate, deadline.signal).catch(() => undefined);
    try {
      while (!deadline.signal.aborted) {
        const o = await runProbeOnce(p, probeCtx, interpolate).catch(() => undefined); // throws only once aborted
        if (o?.kind === 'ok' && !deadline.signal.aborted) {
          held.push({ probe: p.name, at: ctx.clock.monotonic() });
          return true;
        }
        if (wakeup) {
          const why = await wakeup.next(p.intervalMs ?? DETECT_SUBSCRIBED_POLL_MS, deadline.signal, ctx.clock);
          if (why === 'message') notified.add(p.name);
        } else {
          await ctx.clock.sleep(p.intervalMs ?? DETECT_POLL_MS, deadline.signal).catch(() => undefined);
        }
      }
      return false;
    } finally {
      wakeup?.close();
    }
  };
  const loops = probes.map(watchOne);
  void Promise.all(loops).finally(() => deadline.dispose());
  const need = o.all === true ? probes.length : 1;
  // the probe that completes detection answers at once (the others wind down behind it)
  return new Promise((resolve) => {
    let pending = loops.length;
    for (const loop of loops) {
      void loop.then(() => {
        pending -= 1;
        if (held.length >= need) {
          done.abort(); // the others stop
          const last = held[need - 1] as { probe: string; at: number };
          resolve({
            probe: held
              .slice(0, need)
              .map((h) => h.probe)
              .join(' + '),
            at: last.at,
            notified: [...notified],
          });
        } else if (pending === 0) resolve(undefined);
      });
    }
  });
}
