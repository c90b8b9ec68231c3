import type { Clock } from '../../src/util/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A Clock whose time moves only when the test says so: deadlines, sleeps and timers fire in order when
 * advance() passes their time. A test proves "not yet" by advancing to just before a deadline, never by
 * sleeping and hoping the machine was fast enough.
 */
export class ManualClock implements Clock {
  #mono = 0;
  #seq = 0;
  readonly #wallStart: number;
  readonly #timers = new Set<Timer>();

  constructor(wallStart = Date.UTC(2026, 10, 21, 2, 0, 0)) {
    this.#wallStart = wallStart;
  }

  now(): number {
    return this.#wallStart + this.#mono;
  }

  monotonic(): number {
    return this.#mono;
  }

  timer(ms: number, fn: () => void): () => void {
    const t: Timer = { at: this.#mono + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(t);
    return () => void this.#timers.delete(t);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.timer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Timers (sleeps, deadlines) waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Move the time forward by ms, firing every timer due on the way in order, each at its own time, and
   * letting the code it wakes run (a turn of the event loop) before the next one.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#mono + ms;
    for (;;) {
      const next = [...this.#timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.#timers.delete(next);
      this.#mono = next.at;
      next.fn();
      await settle();
    }
    this.#mono = end;
    await settle();
  }

  /** Wait (turns of the event loop, no time passing) until at least n timers are waiting. */
  async untilPending(n = 1): Promise<void> {
    for (let turns = 0; this.#timers.size < n; turns++) {
      if (turns > 10_000) throw new Error(`ManualClock: ${this.#timers.size} timer(s) waiting, want ${n}`);
      await settle();
    }
  }
}

/** Turns of the event loop (no clock time passes) until cond() holds: the code under test reached a point. */
export async function turnsUntil(cond: () => boolean, what = 'the condition'): Promise<void> {
  for (let turns = 0; !cond(); turns++) {
    if (turns > 10_000) throw new Error(`still waiting for ${what} after 10000 turns of the event loop`);
    await settle();
  }
}

/** One turn of the event loop: every promise callback queued so far runs. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
