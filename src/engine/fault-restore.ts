import type { AnyKind, KindContext } from '../model/kind.js';
import type { JournalRecord } from '../model/records.js';
import type { FaultSpec } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import { Deadline } from '../util/deadline.js';
import { undoToBefore } from './undo.js';

/** An injected fault: what it observed before, so restore can put that back. */
export interface InjectedFault {
  readonly kind: AnyKind;
  readonly params: unknown;
  readonly before: unknown;
  readonly describe: string;
  /** The state the inject aimed at (unknown when restoring from a journal): describes the way back. */
  readonly desired?: unknown;
}

export interface RestoreOptions {
  readonly spec: FaultSpec;
  readonly clock: Clock;
  readonly makeContext: (signal: AbortSignal) => KindContext;
}

/**
 * Restore: rollback (or apply toward `before`) and poll until the before-state holds, on its own
 * deadline (the fault's timeout): no interrupt and no abort skips it. Returns what it did, in words.
 * A rehearsal restores the fault it injected; `drctl rollback` restores the one a dead controller left.
 */
export async function restoreFault(o: RestoreOptions, fault: InjectedFault): Promise<string> {
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

/**
 * A fault a rehearsal's journal says was being injected and never restored (the controller died, or
 * restoring failed): what `drctl rollback RUN_ID` must put back first, and what `status` names.
 */
export function unrestoredFault(records: readonly JournalRecord[]): { readonly describe: string; readonly before: unknown } | undefined {
  let pending: { describe: string; before: unknown } | undefined;
  for (const r of records) {
    if (r.type === 'fault.intent') pending = { describe: r.describe, before: r.before };
    else if (r.type === 'fault.restored' && r.ok) pending = undefined;
  }
  return pending;
}
