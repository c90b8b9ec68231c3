import { deadlineSignal, raceSignal } from '../engine/abort.js';
import { pollUntil } from '../engine/poll.js';
import { undoToBefore } from '../engine/undo.js';
import type { AnyKind, KindContext } from '../kinds/types.js';
import type { FaultSpec } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';

/** An injected fault: what it observed before, so restore can put that back. */
export interface InjectedFault {
  readonly kind: AnyKind;
  readonly params: unknown;
  readonly before: unknown;
  readonly describe: string;
}

interface FaultLifeOptions {
  readonly spec: FaultSpec;
  readonly kind: AnyKind;
  readonly params: unknown;
  readonly clock: Clock;
  readonly makeContext: (signal: AbortSignal) => KindContext;
}

/**
 * Inject: observe, apply toward the kind's desired state, verify by polling — the same step life as any
 * step, bounded by the fault's timeout. `onApply` runs (and is awaited: it journals the intent) right before apply; t0 is taken there.
 */
export async function injectFault(o: FaultLifeOptions, parent: AbortSignal, onApply: (intent: { describe: string; before: unknown }) => Promise<void>): Promise<InjectedFault> {
  const { kind, params, spec } = o;
  const deadline = deadlineSignal(parent, spec.timeoutMs);
  try {
    const ctx = o.makeContext(deadline.signal);
    const before = await raceSignal(kind.observe(params, ctx), deadline.signal);
    const d = kind.decide(params, before);
    if (d.action === 'noop') throw new Error(`the fault is already in place (${kind.describe(params, before, undefined)}): restore it first`);
    const describe = kind.describe(params, before, d.desired);
    await onApply({ describe, before });
    await raceSignal(kind.apply(params, { current: before, desired: d.desired }, ctx), deadline.signal);
    await pollUntil(() => raceSignal(kind.observe(params, ctx), deadline.signal), (s) => kind.holds(params, d.desired, s), { intervalMs: 50, signal: deadline.signal, clock: o.clock });
    return { kind, params, before, describe };
  } catch (e) {
    throw new Error(`injecting the fault failed: ${deadline.signal.aborted && !parent.aborted ? `timed out after ${formatDuration(spec.timeoutMs)}` : (e as Error).message}`, { cause: e });
  } finally {
    deadline.dispose();
  }
}

/** Restore: rollback (or apply toward `before`) and poll until the before-state holds. Never skipped by a cancel. */
export async function restoreFault(o: Omit<FaultLifeOptions, 'kind' | 'params'>, fault: InjectedFault): Promise<void> {
  const { kind, params, before } = fault;
  const deadline = deadlineSignal(new AbortController().signal, o.spec.timeoutMs);
  try {
    const ctx = o.makeContext(deadline.signal);
    await undoToBefore({ kind, params, before, ctx, signal: deadline.signal, clock: o.clock, intervalMs: 50 });
  } finally {
    deadline.dispose();
  }
}
