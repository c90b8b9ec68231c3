import type { Clock } from '../util/clock.js';

/**
 * The kind call a step attempt (or an undo) is waiting for. The engine stops waiting at the deadline
 * (Deadline.race), but the call may still be talking to its system; before a retry or a rollback acts on
 * the same system, the engine waits a bounded grace for that call to stop, so two calls never overlap.
 */
export class InFlight {
  #current: Promise<unknown> | undefined;

  /** Remember `p` as the call in flight; returns it unchanged. */
  track<T>(p: Promise<T>): Promise<T> {
    this.#current = p;
    return p;
  }

  /** Wait until the last tracked call has settled, at most graceMs. Resolves true when it settled in time. */
  async settle(clock: Clock, graceMs: number): Promise<boolean> {
    const current = this.#current;
    if (!current) return true;
    const settled = current.then(
      () => true,
      () => true,
    );
    const stop = new AbortController();
    const timedOut = clock.sleep(graceMs, stop.signal).then(
      () => false,
      () => false,
    );
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      stop.abort();
    }
  }
}
