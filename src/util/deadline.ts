import { realClock, type Clock } from './clock.js';

/** Settle with the promise, or reject as soon as the signal aborts (the kind may keep running in the background). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined); // the kind's own late failure is not news: the race is already lost
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export class TimeoutReason extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs}ms`);
    this.name = 'TimeoutReason';
  }
}

/** What a step's context reads its cancellation from: a signal, made only when someone asks for it. */
export interface SignalSource {
  readonly signal: AbortSignal;
  /** Time left before the deadline fires (ms); absent: no deadline known. */
  remainingMs?(): number;
}

/** A signal, or a source that makes one on demand (a Deadline). */
export type SignalLike = AbortSignal | SignalSource;

/**
 * A step attempt's deadline: aborts with TimeoutReason after ms (on the given clock: a test advances it),
 * or when the parent aborts. Call dispose() when done. A deadline beyond what a timer can hold waits that longest time (never the 1 ms of an
 * overflowed timer). Its AbortSignal is made only when read: a kind that never looks at its signal (most
 * in-process steps) costs a timer and no AbortController, and race() works without one. Plan and run create
 * one per step and phase; at 10,000 steps the eager controllers and their listeners were a sixth of a plan.
 */
export class Deadline implements SignalSource {
  #controller: AbortController | undefined;
  #fired = false;
  #reason: unknown;
  readonly #waiters = new Set<(reason: unknown) => void>();
  readonly #cancelTimer: () => void;
  readonly #parent: AbortSignal;
  readonly #endsAt: number;
  readonly #clock: Clock;

  constructor(parent: AbortSignal, ms: number, clock: Clock = realClock) {
    this.#parent = parent;
    this.#clock = clock;
    this.#endsAt = clock.monotonic() + ms;
    this.#cancelTimer = clock.timer(ms, () => this.#fire(new TimeoutReason(ms)));
    if (parent.aborted) this.#fire(parent.reason);
    else watchParent(parent, this);
  }

  get aborted(): boolean {
    return this.#fired;
  }

  remainingMs(): number {
    return this.#fired ? 0 : Math.max(0, this.#endsAt - this.#clock.monotonic());
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#fired) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Settle with the promise, or reject with the deadline's reason as soon as it fires. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.#fired) {
      promise.catch(() => undefined); // the kind's own late failure is not news: the race is already lost
      return Promise.reject(this.#reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiters.add(reject);
      promise.then(
        (v) => {
          this.#waiters.delete(reject);
          resolve(v);
        },
        (e) => {
          this.#waiters.delete(reject);
          reject(e);
        },
      );
    });
  }

  dispose(): void {
    this.#cancelTimer();
    unwatchParent(this.#parent, this);
  }

  /** @internal called by the parent's one listener */
  fire(reason: unknown): void {
    this.#fire(reason);
  }

  #fire(reason: unknown): void {
    if (this.#fired) return;
    this.#fired = true;
    this.#reason = reason;
    this.#cancelTimer();
    unwatchParent(this.#parent, this);
    this.#controller?.abort(reason);
    for (const reject of this.#waiters) reject(reason);
    this.#waiters.clear();
  }
}

// One 'abort' listener per parent signal, shared by all the deadlines under it (not one each).
const children = new WeakMap<AbortSignal, Set<Deadline>>();

function watchParent(parent: AbortSignal, d: Deadline): void {
  let set = children.get(parent);
  if (!set) {
    const created = new Set<Deadline>();
    set = created;
    children.set(parent, created);
    parent.addEventListener(
      'abort',
      () => {
        for (const child of [...created]) child.fire(parent.reason);
      },
      { once: true },
    );
  }
  set.add(d);
}

function unwatchParent(parent: AbortSignal, d: Deadline): void {
  children.get(parent)?.delete(d);
}
