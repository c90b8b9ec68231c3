import { Deadline, raceSignal, TimeoutReason } from '../util/deadline.js';
import { pollUntil } from '../engine/poll.js';
import type { InjectedFault } from '../engine/fault-restore.js';
import type { AnyKind, KindContext } from '../model/kind.js';
import type { FaultSpec } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';
import { messageOf } from '../util/errors.js';

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
    if (d.action === 'noop')
      throw new Error(`the fault is already in place (${kind.describe(params, before, undefined)}): restore it first`);
    const describe = kind.describe(params, before, d.desired);
    if (deadline.signal.aborted) throw deadline.signal.reason;
    await onCut({ describe, before, desired: d.desired });
    await raceSignal(kind.apply(params, { current: before, desired: d.desired }, ctx), deadline.signal);
    await pollUntil(
      () => raceSignal(kind.observe(params, ctx), deadline.signal),
      (s) => kind.holds(params, d.desired, s),
      { intervalMs: 50, signal: deadline.signal, clock: o.clock },
    );
    return { kind, params, before, describe, desired: d.desired };
  } catch (e) {
    const why =
      deadline.signal.reason instanceof TimeoutReason && !cancel.aborted
        ? `timed out after ${formatDuration(spec.timeoutMs)}`
        : cancel.aborted
          ? `cancelled (${messageOf(cancel.reason)})`
          : messageOf(e);
    throw new InjectFailed(`injecting the fault failed: ${why}`, { cause: e });
  } finally {
    deadline.dispose();
  }
}
