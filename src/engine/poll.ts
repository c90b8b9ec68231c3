import type { Clock } from '../util/clock.js';
import type { Holds } from '../model/kind.js';

export interface PollOptions {
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  readonly clock: Clock;
}

/** Observe until `holds` says ok; the signal (the step's deadline) ends it. Returns the state that held. */
export async function pollUntil<S>(
  observe: () => Promise<S>,
  holds: (state: S) => Holds,
  options: PollOptions,
  onMiss?: (detail: string) => void,
): Promise<S> {
  for (;;) {
    const state = await observe();
    const h = holds(state);
    if (h.ok) return state;
    onMiss?.(h.detail);
    await options.clock.sleep(options.intervalMs, options.signal);
  }
}
