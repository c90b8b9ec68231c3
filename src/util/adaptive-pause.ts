/** The first pause of adaptive sampling after a sample that did not hold. */
export const ADAPT_FIRST_MS = 10;

/**
 * Pauses for sampling at the rate an answer can change (waiting for something to become true): after a
 * sample that did not hold, the next comes ADAPT_FIRST_MS later, doubling up to `intervalMs`, so the first
 * sample that holds comes within a few ms of the change instead of up to a whole interval after it; a
 * long wait still samples at the interval. `reset()` after a sample that held starts again from the first.
 */
export function adaptivePause(intervalMs: number): { next(): number; reset(): void } {
  let pause = ADAPT_FIRST_MS;
  return {
    next() {
      const wait = Math.min(pause, intervalMs);
      pause = Math.min(pause * 2, Math.max(intervalMs, ADAPT_FIRST_MS));
      return wait;
    },
    reset() {
      pause = ADAPT_FIRST_MS;
    },
  };
}
