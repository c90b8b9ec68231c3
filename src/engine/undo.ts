import { NOTHING_UNDONE, type AnyKind, type KindContext } from '../model/kind.js';
import type { Clock } from '../util/clock.js';
import { raceSignal } from '../util/deadline.js';
import type { InFlight } from './in-flight.js';
import { pollUntil } from './poll.js';

export interface UndoOptions {
  readonly kind: AnyKind;
  readonly params: unknown;
  /** The state observed before the change: what the undo restores. */
  readonly before: unknown;
  readonly ctx: KindContext;
  /** The undo's deadline (also passed in ctx). */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** The last "not yet" of the verify poll, for the error message. */
  readonly onMiss?: (detail: string) => void;
  /**
   * Runs right before the rollback action, once it is known to be needed (the journal's durable, fenced
   * record of it); when it throws, nothing is changed.
   */
  readonly beforeChange?: (current: unknown) => Promise<void>;
  /** Told every kind call made (so a caller can wait for the one in flight to stop after the deadline). */
  readonly inFlight?: InFlight;
}

export interface UndoResult {
  /** The state observed when the undo began. */
  readonly current: unknown;
  /** false: the before-state already held, nothing was done. */
  readonly changed: boolean;
}

/**
 * Put a step (or a fault) back to its observed before-state: wait for the estate to settle (an election
 * in flight), observe; if `before` already holds,
 * nothing to do; else rollback (or apply toward `before`), then poll observe until `before` holds.
 * A kind that cannot observe these params (exec/http without an observe request) cannot show that the
 * change is gone, so its rollback always runs, and is trusted once it succeeds.
 */
export async function undoToBefore(o: UndoOptions): Promise<UndoResult> {
  const { kind, params, before, ctx, signal } = o;
  const race = <T>(p: Promise<T>): Promise<T> => raceSignal(o.inFlight ? o.inFlight.track(p) : p, signal);
  const observable = kind.observable?.(params) ?? true;
  if (kind.settle) await race(kind.settle(params, ctx));
  const current: unknown = await race(kind.observe(params, ctx));
  if (observable && kind.holds(params, before, current).ok) return { current, changed: false };
  const change = { current, desired: before };
  await o.beforeChange?.(current);
  const done: unknown = await race(kind.rollback ? kind.rollback(params, change, ctx) : kind.apply(params, change, ctx));
  if (observable) {
    await pollUntil(
      () => race(kind.observe(params, ctx)),
      (s) => kind.holds(params, before, s),
      { intervalMs: o.intervalMs, signal, clock: o.clock },
      o.onMiss,
    );
  }
  // a rollback that sent nothing (the difference settled by itself) changed nothing
  return { current, changed: done !== NOTHING_UNDONE };
}
