import type { Probe } from '../../runbook/types.js';
import type { KindContext } from '../types.js';
import { runProbeOnce, type Interpolate } from './run-once.js';
import { classify, PROBE_DEFAULTS } from './stable.js';

export interface Breach {
  readonly name: string;
  readonly detail: string;
  /** Consecutive failing samples when it fired. */
  readonly failures: number;
}

/**
 * Stop conditions: sample every probe every `intervalMs` in the background; when one reaches its
 * failureThreshold consecutive failures, call onBreach once for it. Returns stop(), which ends the
 * loop, aborts the samples in flight and resolves when the loop has ended.
 */
export function watchProbes(
  probes: readonly Probe[],
  ctx: KindContext,
  intervalMs: number,
  onBreach: (breach: Breach) => void,
  opts: { readonly interpolate?: Interpolate } = {},
): () => Promise<void> {
  const stopper = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stopper.signal]);
  const watchCtx: KindContext = { ...ctx, signal };
  const failRuns = new Map<string, number>();
  const fired = new Set<string>();
  const sampleAll = async (): Promise<void> => {
    await Promise.all(probes.filter((p) => !fired.has(p.name)).map(async (p) => {
      const o = await runProbeOnce(p, watchCtx, opts.interpolate);
      const c = classify(p, o);
      const run = c === 'failure' ? (failRuns.get(p.name) ?? 0) + 1 : c === 'success' ? 0 : (failRuns.get(p.name) ?? 0);
      failRuns.set(p.name, run);
      if (run >= Math.max(1, p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold) && !signal.aborted) {
        fired.add(p.name);
        onBreach({ name: p.name, detail: `${o.kind === 'error' ? 'error' : 'failed'}: ${o.detail}`, failures: run });
      }
    }));
  };
  const loop = (async () => {
    while (!signal.aborted && fired.size < probes.length) {
      // a sample never throws but on abort; a throwing onBreach must not stop the watch
      await sampleAll().catch(() => undefined);
      if (signal.aborted) return;
      const slept = await ctx.clock.sleep(intervalMs, signal).then(() => true, () => false);
      if (!slept) return;
    }
  })();
  return async () => {
    stopper.abort(new Error('stop conditions: watch stopped'));
    await loop;
  };
}
