import type { RolledBack } from '../model/records.js';
import type { FaultSpec } from '../runbook/types.js';
import { messageOf } from '../util/errors.js';
import { describeRestore, restoreFault, type InjectedFault } from './fault-restore.js';
import type { PhasesContext } from './phases.js';
import type { UndoOutcome } from './rollback.js';

/** The fault a dead rehearsal's journal says is still in place, with what restores it. */
export interface PendingFault {
  readonly spec: FaultSpec;
  readonly fault: InjectedFault;
}

/**
 * Put back the fault a dead rehearsal left in place (journaled as fault.restored, ok or not). Not fenced,
 * on purpose: putting a fault back is always the safe direction, even for a controller that lost its lock
 * (a cut left in place is the one outcome a rehearsal must not have).
 */
export async function restoreLeftFault(ctx: PhasesContext, pending: PendingFault): Promise<NonNullable<RolledBack['fault']>> {
  const { fault } = pending;
  try {
    const describe = await restoreFault(
      { spec: pending.spec, clock: ctx.clock, makeContext: (signal) => ctx.makeContext('fault', signal, {}) },
      fault,
    );
    await ctx.emit({ type: 'fault.restored', describe, ok: true });
    return { describe, restored: true };
  } catch (e) {
    const error = messageOf(e);
    const describe = `${describeRestore(fault, undefined)}: ${error}`;
    await ctx.emit({ type: 'fault.restored', describe, ok: false });
    return { describe, restored: false, error };
  }
}

/** The record's account of each step's undo: restored, already as before, failed (why), not reached. */
export function undoOutcomes(
  outcomes: ReadonlyMap<string, UndoOutcome>,
): Pick<RolledBack, 'restored' | 'alreadyAsBefore' | 'failed' | 'notReached'> {
  const of = (status: UndoOutcome['status']): string[] => [...outcomes].filter(([, o]) => o.status === status).map(([id]) => id);
  const failed = Object.fromEntries([...outcomes].flatMap(([id, o]) => (o.status === 'failed' ? [[id, o.error]] : [])));
  return { restored: of('rolled-back'), alreadyAsBefore: of('already-as-before'), failed, notReached: of('not-reached') };
}

/**
 * The record of every `drctl rollback` of a run so far: steps restored by any attempt stay restored (a
 * later attempt finds them already as before), the rest is the latest attempt's outcome; a fault restored
 * by an earlier attempt stays restored.
 */
export function mergeRolledBack(previous: RolledBack | undefined, latest: RolledBack): RolledBack {
  if (!previous) return latest;
  const restored = [...new Set([...(previous.restored ?? []), ...(latest.restored ?? [])])];
  const alreadyAsBefore = [...new Set([...(previous.alreadyAsBefore ?? []), ...(latest.alreadyAsBefore ?? [])])].filter(
    (id) => !restored.includes(id),
  );
  const fault = latest.fault ?? previous.fault;
  return { ...latest, restored, alreadyAsBefore, ...(fault ? { fault } : {}) };
}
