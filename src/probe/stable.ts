import type { Probe } from '../model/probe.js';
import type { KindContext } from '../model/kind.js';
import type { ProbeOutcome } from './outcome.js';
import { runProbeOnce, type Interpolate } from './run-once.js';
import { adaptivePause } from '../util/adaptive-pause.js';

export const PROBE_DEFAULTS = { successThreshold: 1, failureThreshold: 1, intervalMs: 500, errorCountsAsFailure: true } as const;

export interface ProbeSample {
  /** ISO time the sample ended. */
  readonly at: string;
  readonly outcome: ProbeOutcome['kind'];
  readonly detail: string;
  readonly durationMs: number;
}

export interface StableOptions {
  readonly interpolate?: Interpolate;
  /**
   * Give up (not ok) after this long, ms from the call. Default: enough for the thresholds,
   * (successThreshold + failureThreshold + 2) × (interval + timeout), so it always ends.
   */
  readonly deadlineMs?: number;
  /**
   * true (default): stop at failureThreshold consecutive failures (steady state before the fault).
   * false: keep polling until stable or the deadline (waiting for recovery after the switch).
   */
  readonly stopOnFailure?: boolean;
  /**
   * Sample at the rate the answer can change: after a sample that did not succeed, the next one comes
   * ADAPT_FIRST_MS later, doubling up to the interval; confirmations after a success keep the interval.
   * For waiting on recovery: the first success is seen within ADAPT_FIRST_MS, not a whole interval, late.
   */
  readonly adaptive?: boolean;
}

export { ADAPT_FIRST_MS } from '../util/adaptive-pause.js';

export interface StableResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly samples: readonly ProbeSample[];
  /**
   * ok: clock.monotonic() when the first sample of the run of successes that made it ok ended — when it
   * held; the other successThreshold − 1 samples only confirmed it.
   */
  readonly heldSince?: number;
}

/** Counts a sample: does it count as a success, a failure, or neither (an error that does not count)? */
export function classify(probe: Probe, o: ProbeOutcome): 'success' | 'failure' | 'neutral' {
  if (o.kind === 'ok') return 'success';
  if (o.kind === 'failure') return 'failure';
  return (probe.errorCountsAsFailure ?? PROBE_DEFAULTS.errorCountsAsFailure) ? 'failure' : 'neutral';
}

/**
 * Sample the probe every `interval` until `successThreshold` consecutive successes (ok) or
 * `failureThreshold` consecutive failures / the deadline (not ok). Aborting ctx.signal rejects.
 */
export async function runProbeUntilStable(probe: Probe, ctx: KindContext, opts: StableOptions = {}): Promise<StableResult> {
  const needOk = Math.max(1, probe.successThreshold ?? PROBE_DEFAULTS.successThreshold);
  const needFail = Math.max(1, probe.failureThreshold ?? PROBE_DEFAULTS.failureThreshold);
  const interval = probe.intervalMs ?? PROBE_DEFAULTS.intervalMs;
  const deadlineMs = opts.deadlineMs ?? (needOk + needFail + 2) * (interval + probe.timeoutMs);
  const start = ctx.clock.monotonic();
  const samples: ProbeSample[] = [];
  let okRun = 0;
  let failRun = 0;
  let heldSince = 0;
  const pauses = adaptivePause(interval);
  for (;;) {
    const t = ctx.clock.monotonic();
    const o = await runProbeOnce(probe, ctx, opts.interpolate);
    const ended = ctx.clock.monotonic();
    samples.push({ at: new Date(ctx.clock.now()).toISOString(), outcome: o.kind, detail: o.detail, durationMs: ended - t });
    const c = classify(probe, o);
    okRun = c === 'success' ? okRun + 1 : 0;
    if (okRun === 1) heldSince = ended;
    failRun = c === 'failure' ? failRun + 1 : c === 'success' ? 0 : failRun;
    if (okRun >= needOk) return { ok: true, detail: needOk > 1 ? `${o.detail} (${needOk} consecutive)` : o.detail, samples, heldSince };
    if (failRun >= needFail && opts.stopOnFailure !== false) {
      return {
        ok: false,
        detail: `${o.kind === 'error' ? 'error' : 'failed'}: ${o.detail}${needFail > 1 ? ` (${needFail} consecutive)` : ''}`,
        samples,
      };
    }
    if (okRun > 0) pauses.reset();
    const wait = opts.adaptive === true && okRun === 0 ? pauses.next() : interval;
    const elapsed = ctx.clock.monotonic() - start;
    if (elapsed + wait > deadlineMs) {
      return {
        ok: false,
        detail: `not stable within ${deadlineMs}ms: ${o.kind === 'ok' ? `${okRun}/${needOk} consecutive successes` : o.detail}`,
        samples,
      };
    }
    await ctx.clock.sleep(wait, ctx.signal);
  }
}
