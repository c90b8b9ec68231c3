import type { LeverRecord } from '../model/safety.js';
import type { Clock } from '../util/clock.js';

/** Reads the safety lever: its record when engaged now, else undefined (state/safety.ts engagedLever). */
export type LeverReader = () => Promise<LeverRecord | undefined>;

/** How often a running rehearsal reads the lever: it notices within a second, a read's own time included. */
export const LEVER_POLL_MS = 250;

/** The reason a rehearsal the lever stopped records (also how `rehearse` knows not to pause the schedule after it). */
export const leverStopReason = (l: LeverRecord): string => `safety lever engaged by ${l.by}: ${l.reason}`;
export const isLeverStop = (reason: string): boolean => reason.startsWith('safety lever engaged by ');

/**
 * Watch the safety lever while a rehearsal runs: read it now, then every LEVER_POLL_MS; the first time it
 * is engaged, call onEngaged once (the rehearsal then aborts as on a breached stop condition). A read
 * that fails is tried again at the next tick (a store that is gone also fails the journal). Returns
 * stop(), which resolves once no read is in flight.
 */
export function watchLever(read: LeverReader, clock: Clock, onEngaged: (lever: LeverRecord) => void): () => Promise<void> {
  let stopped = false;
  let cancel: () => void = () => undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    inFlight = read().then(
      (lever) => {
        if (stopped) return;
        if (lever) {
          stopped = true;
          onEngaged(lever);
          return;
        }
        cancel = clock.timer(LEVER_POLL_MS, tick);
      },
      () => {
        if (!stopped) cancel = clock.timer(LEVER_POLL_MS, tick);
      },
    );
  };
  tick();
  return async () => {
    stopped = true;
    cancel();
    await inFlight;
  };
}
