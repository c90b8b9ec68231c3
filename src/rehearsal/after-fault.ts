import type { ExecuteOutcome } from '../engine/executor.js';
import { rollbackSteps, type RollbackItem, type UndoOutcome } from '../engine/rollback.js';
import type { Observation } from '../plan/observe-all.js';
import { Deadline, raceSignal } from '../util/deadline.js';
import { messageOf } from '../util/errors.js';
import { describeRestore, restoreFault, type InjectedFault } from '../engine/fault-restore.js';
import { NEVER, type RehearsalInput } from './input.js';
import { checkSteady } from './steady.js';

/**
 * Put the fault back, on its own deadline: whatever stopped the rehearsal (a failure, a breach, one or
 * two interrupts), the restore runs to its end. Journals fault.restored with what it did. Not fenced,
 * on purpose: putting the fault back is always the safe direction, even for a controller that lost its lock.
 */
export async function restoreAfterFault(o: RehearsalInput, injected: InjectedFault, reasons: string[]): Promise<void> {
  const spec = o.runbook.fault;
  if (!spec) throw new Error('internal: rehearse needs spec.fault');
  const result = await restoreFault({ spec, clock: o.clock, makeContext: (signal) => o.makeContext('fault', signal, {}) }, injected).then(
    (describe) => ({ ok: true as const, describe }),
    (e: unknown) => ({ ok: false as const, error: messageOf(e) }),
  );
  if (result.ok) {
    await o.emit({ type: 'fault.restored', describe: result.describe, ok: true });
    return;
  }
  reasons.push(`restoring the fault failed: ${result.error}`);
  await o.emit({ type: 'fault.restored', describe: `${describeRestore(injected, undefined)}: ${result.error}`, ok: false });
}

/**
 * Fail back every step the switch touched to the world before the fault, then check steady state once
 * more: each on its own deadline (the steps' timeouts, the fault's recoverTimeout), never on the
 * interrupt's signal, so a second SIGINT cannot leave the estate half switched or the record unfinished.
 */
export async function failBackAfterFault(
  o: RehearsalInput,
  executed: ExecuteOutcome | undefined,
  baseline: ReadonlyMap<string, Observation>,
  reasons: string[],
  outcomes: Map<string, UndoOutcome>,
  cutBeforeSwitch = false,
): Promise<void> {
  const back =
    executed === undefined && cutBeforeSwitch
      ? await failBackUntouched(o, baseline, outcomes)
      : await failBack(o, executed, baseline, outcomes);
  if (!back) {
    reasons.push('fail-back incomplete: see the journal');
    return;
  }
  const spec = o.runbook.fault;
  if (!spec || o.runbook.steadyState.length === 0) return;
  const after = await checkSteady(o.runbook.steadyState, {
    group: 'steadyState',
    phase: 'after fail-back',
    emit: o.emit,
    interpolate: (v) => o.interpolate(v),
    untilMs: spec.recoverTimeoutMs,
    makeContext: (name) => o.makeContext(`steadyState:${name}`, NEVER, {}),
  });
  if (after.length > 0) reasons.push(`steady state does not hold after fail-back (${after.join(', ')})`);
}

/**
 * Undo, in reverse order of completion, every step that finished (applied, or skipped because the
 * estate got there by itself) or that recorded an intent before it failed or was cancelled (its apply may
 * have done part of its work), back to the state observed before the fault.
 */
async function failBack(
  o: RehearsalInput,
  executed: ExecuteOutcome | undefined,
  baseline: ReadonlyMap<string, Observation>,
  outcomes: Map<string, UndoOutcome>,
): Promise<boolean> {
  if (!executed) return true;
  const touched = [...executed.steps.entries()].filter(
    ([, r]) => r.status === 'applied' || r.status === 'skipped' || r.before !== undefined,
  );
  touched.sort(([, a], [, b]) => (b.timing.endedAt ?? '').localeCompare(a.timing.endedAt ?? ''));
  const items: RollbackItem[] = [];
  for (const [id, rec] of touched) {
    const step = o.runbook.steps.find((s) => s.id === id);
    const kind = o.registry.get(step?.kind ?? '');
    // back to the world before the fault (a step's own before-state was observed during the outage)
    const before = baseline.get(id)?.state ?? rec.before;
    if (!step || !kind || before === undefined) continue;
    const params = rec.params ?? baseline.get(id)?.params;
    items.push({ stepId: id, kind, params, before, timeoutMs: step.timeoutMs, verifyIntervalMs: step.verifyIntervalMs });
  }
  if (items.length === 0) return true;
  return rollbackSteps(items, {
    reason: 'rehearsal: fail back',
    clock: o.clock,
    emit: o.emit,
    abort: NEVER,
    makeContext: o.makeContext,
    outcomes,
  });
}

/**
 * The outage was cut short after the fault, before the switch ran (a breached stop condition or the
 * safety lever during detection): the estate may have acted on the cut by itself (Sentinel elected new
 * masters). Every step observed away from its baseline now goes back to it, last step first. A step
 * that cannot be observed is left alone (its rollback would run blind).
 */
async function failBackUntouched(
  o: RehearsalInput,
  baseline: ReadonlyMap<string, Observation>,
  outcomes: Map<string, UndoOutcome>,
): Promise<boolean> {
  const candidates: RollbackItem[] = [];
  for (const step of [...o.runbook.steps].reverse()) {
    const kind = o.registry.get(step.kind);
    const seen = baseline.get(step.id);
    if (!kind || seen?.state === undefined || kind.observable?.(seen.params) === false) continue;
    candidates.push({
      stepId: step.id,
      kind,
      params: seen.params,
      before: seen.state,
      timeoutMs: step.timeoutMs,
      verifyIntervalMs: step.verifyIntervalMs,
    });
  }
  const moved = await Promise.all(
    candidates.map(async (c) => {
      const deadline = new Deadline(NEVER, c.timeoutMs, o.clock);
      try {
        const now = await raceSignal(c.kind.observe(c.params, o.makeContext(c.stepId, deadline, {})), deadline.signal);
        return c.kind.holds(c.params, c.before, now).ok ? undefined : c;
      } catch {
        return c; // cannot tell now: the undo observes again and says what it finds
      } finally {
        deadline.dispose();
      }
    }),
  );
  const items = moved.filter((c): c is RollbackItem => c !== undefined);
  if (items.length === 0) return true;
  return rollbackSteps(items, {
    reason: 'rehearsal: fail back what the estate did by itself',
    clock: o.clock,
    emit: o.emit,
    abort: NEVER,
    makeContext: o.makeContext,
    outcomes,
  });
}
