import { timerDelay } from './duration.js';

export interface Clock {
  /** Wall-clock ms since epoch (for records). */
  now(): number;
  /** Monotonic ms (for durations). */
  monotonic(): number;
  /** Sleep; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Call fn once, ms from now (monotonic); returns a function that cancels it. What deadlines are made
   * of: a real timer keeps the process alive until it fires (a step waiting on nothing still times out);
   * a test clock fires it when the test advances the time.
   */
  timer(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, timerDelay(ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  timer: (ms, fn) => {
    const t = setTimeout(fn, timerDelay(ms));
    return () => clearTimeout(t);
  },
};
