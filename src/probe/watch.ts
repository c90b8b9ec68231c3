import type { Probe } from '../model/probe.js';
import type { KindContext } from '../model/kind.js';
import { runProbeOnce, type Interpolate } from './run-once.js';
import { classify, PROBE_DEFAULTS } from './stable.js';

export interface Breach {
  readonly name: string;
  readonly detail: string;
  /** Consecutive failing samples when it fired. */
  readonly failures: number;
}

/**
 * Stop conditions: sample every probe in the background, each at its own `interval` (default 500ms);
 * when one reaches its failureThreshold consecutive failures, call onBreach once for it (its loop then
 * ends). Returns stop(), which ends the loops, aborts the samples in flight and resolves when every
 * loop has ended.
 */
export function watchProbes(
  probes: readonly Probe[],
  ctx: KindContext,
  onBreach: (breach: Breach) => void,
  opts: { readonly interpolate?: Interpolate } = {},
): () => Promise<void> {
  const stopper = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stopper.signal]);
  const watchCtx: KindContext = { ...ctx, signal };
  const watchOne = async (p: Probe): Promise<void> => {
    const intervalMs = p.intervalMs ?? PROBE_DEFAULTS.intervalMs;
    const threshold = Math.max(1, p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold);
    let failures = 0;
    while (!signal.aborted) {
      const o = await runProbeOnce(p, watchCtx, opts.interpolate).catch(() => undefined); // throws only on abort
      if (o === undefined || signal.aborted) return;
      const c = classify(p, o);
      failures = c === 'failure' ? failures + 1 : c === 'success' ? 0 : failures;
      if (failures >= threshold) {
        // a throwing onBreach must not end the other probes' watch
        try {
          onBreach({ name: p.name, detail: `${o.kind === 'error' ? 'error' : 'failed'}: ${o.detail}`, failures });
        } catch {
          // the caller's problem; the breach was reported
        }
        return;
      }
      const slept = await ctx.clock.sleep(intervalMs, signal).then(
        () => true,
        () => false,
      );
      if (!slept) return;
    }
  };
  const loops = Promise.all(probes.map(watchOne));
  return async () => {
    stopper.abort(new Error('stop conditions: watch stopped'));
    await loops;
  };
}
