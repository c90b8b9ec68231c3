import { adaptivePause } from '../util/adaptive-pause.js';
import type { Clock } from '../util/clock.js';
import { FlipError } from './flip-error.js';
import type { CatchUpCheck, StageEvent } from './flip-stages.js';

export const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;
export const DEFAULT_CATCH_UP_INTERVAL_MS = 500;

export interface CatchUpOptions {
  readonly catchUp?: CatchUpCheck | undefined;
  readonly catchUpTimeoutMs?: number;
  readonly catchUpIntervalMs?: number;
  readonly onStage?: (e: StageEvent) => void;
}

/**
 * Poll the catch-up check until it passes, the deadline passes (FlipError 'catch-up-failed'), or the
 * signal aborts (its reason is thrown). No check configured: passes at once. Sampled at the rate catch-up
 * can happen: 10 ms after a check that did not pass, doubling up to the interval (the fence is up
 * meanwhile: every ms of rounding up is write downtime of the moving shards).
 */
export async function waitForCatchUp(o: CatchUpOptions, clock: Clock, signal: AbortSignal, fromVersion: number): Promise<void> {
  if (!o.catchUp) return;
  const timeoutMs = o.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS;
  const t0 = clock.monotonic();
  const pauses = adaptivePause(o.catchUpIntervalMs ?? DEFAULT_CATCH_UP_INTERVAL_MS);
  for (;;) {
    if (signal.aborted) throw signal.reason;
    const r = await o.catchUp(signal);
    if (signal.aborted) throw signal.reason;
    if (r.ok) return;
    const elapsedMs = clock.monotonic() - t0;
    o.onStage?.({ type: 'waiting', stage: 'catch-up', detail: r.detail, elapsedMs });
    if (elapsedMs >= timeoutMs) {
      throw new FlipError(
        'catch-up-failed',
        `data did not catch up within ${Math.round(timeoutMs)}ms: ${r.detail}; the fence was lifted and the old map (version ${fromVersion}) stays`,
      );
    }
    await clock.sleep(Math.min(pauses.next(), Math.max(1, timeoutMs - elapsedMs)), signal);
  }
}
