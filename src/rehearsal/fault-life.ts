import { Deadline, raceSignal, TimeoutReason } from '../util/deadline.js';
import { pollUntil } from '../engine/poll.js';
import { undoToBefore } from '../engine/undo.js';
import type { AnyKind, KindContext } from '../model/kind.js';
import type { FaultSpec } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';
import { messageOf } from '../util/errors.js';

/** An injected fault: what it observed before, so restore can put that back. */
export interface InjectedFault {
  readonly kind: AnyKind;
  readonly params: unknown;
  readonly before: unknown;
  readonly describe: string;
  /** The state the inject aimed at (unknown when restoring from a journal): describes the way back. */
  readonly desired?: unknown;
}

export interface FaultLifeOptions {
  readonly spec: FaultSpec;
  readonly kind: AnyKind;
  readonly params: unknown;
  readonly clock: Clock;
  readonly makeContext: (signal: AbortSignal) => KindContext;
}

/** The fault could not be injected (its reason is a rehearsal's reason, not a crash). */
export class InjectFailed extends Error {
  override readonly name = 'InjectFailed';
}

/** The fault's apply is about to start (t0): journal what restore must put back, and start the clocks. */
export type OnCut = (intent: { readonly describe: string; readonly before: unknown; readonly desired: unknown }) => Promise<void>;

/**
 * Inject: observe, apply toward the kind's desired state, verify by polling — the same step life as any
 * step, bounded by the fault's timeout and cancelled when `cancel` aborts (an interrupt, a breached stop
 * condition). `onCut` runs (and is awaited: it journals the intent) right before apply: that is t0.
 */
export async function injectFault(o: FaultLifeOptions, cancel: AbortSignal, onCut: OnCut): Promise<InjectedFault> {
  const { kind, params, spec } = o;
  const deadline = new Deadline(cancel, spec.timeoutMs);
  try {
    const ctx = o.makeContext(deadline.signal);
    const before = await raceSignal(kind.observe(params, ctx), deadline.signal);
    const d = kind.decide(params, before);
    if (d.action === 'noop') throw new Error(`the fault is already in place (${kind.describe(params, before, undefined)}): restore it first`);
    const describe = kind.describe(params, before, d.desired);
    if (deadline.signal.aborted) throw deadline.signal.reason;
    await onCut({ describe, before, desired: d.desired });
    await raceSignal(kind.apply(params, { current: before, desired: d.desired }, ctx), deadline.signal);
    await pollUntil(() => raceSignal(kind.observe(params, ctx), deadline.signal), (s) => kind.holds(params, d.desired, s), { intervalMs: 50, signal: deadline.signal, clock: o.clock });
    return { kind, params, before, describe, desired: d.desired };
  } catch (e) {
    const why = deadline.signal.reason instanceof TimeoutReason && !cancel.aborted ? `timed out after ${formatDuration(spec.timeoutMs)}`
      : cancel.aborted ? `cancelled (${messageOf(cancel.reason)})`
        : messageOf(e);
    throw new InjectFailed(`injecting the fault failed: ${why}`, { cause: e });
  } finally {
    deadline.dispose();
  }
}

/**
 * Restore: rollback (or apply toward `before`) and poll until the before-state holds, on its own
 * deadline (the fault's timeout): no interrupt and no abort skips it. Returns what it did, in words.
 */
export async function restoreFault(o: Pick<FaultLifeOptions, 'spec' | 'clock' | 'makeContext'>, fault: InjectedFault): Promise<string> {
  const { kind, params, before } = fault;
  const deadline = new Deadline(new AbortController().signal, o.spec.timeoutMs);
  try {
    const ctx = o.makeContext(deadline.signal);
    const { current } = await undoToBefore({ kind, params, before, ctx, signal: deadline.signal, clock: o.clock, intervalMs: 50 });
    return describeRestore(fault, current);
  } finally {
    deadline.dispose();
  }
}

/**
 * The restore in words: the kind's describe from the fault state back to `before`. A kind whose
 * state cannot tell the two directions apart (exec/http without observe) says what it injected: then
 * the line names it as the undo of that.
 */
export function describeRestore(fault: InjectedFault, current: unknown): string {
  const from = fault.desired ?? current;
  const text = fault.kind.describe(fault.params, from, fault.before);
  return text === fault.describe ? `undo of: ${fault.describe}` : text;
}
