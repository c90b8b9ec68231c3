import type { AnyKind, KindContext } from '../model/kind.js';
import type { Clock } from '../util/clock.js';
import { Deadline, type SignalLike } from '../util/deadline.js';
import { ALREADY_AS_BEFORE, type EventInput } from '../model/events.js';
import { InFlight } from './in-flight.js';
import { awaitStop, DEFAULT_VERIFY_INTERVAL_MS, toErrorInfo } from './step-life.js';
import { undoToBefore } from './undo.js';

export interface RollbackItem {
  readonly stepId: string;
  readonly kind: AnyKind;
  readonly params: unknown;
  /** The state the step observed before it applied (from the journal). */
  readonly before: unknown;
  readonly timeoutMs: number;
  readonly verifyIntervalMs: number | undefined;
}

export interface RollbackOptions {
  readonly reason: string;
  readonly clock: Clock;
  readonly emit: (e: EventInput) => Promise<void>;
  /** Aborts rollbacks still running (a second interrupt during rollback). */
  readonly abort: AbortSignal;
  /** The run lost its lock or its journal: no further rollback starts (throws the reason). */
  readonly halt?: AbortSignal | undefined;
  /** An interrupt (`drctl rollback`'s first signal): the running rollback ends, no further one starts, the result is false. */
  readonly stop?: AbortSignal | undefined;
  readonly makeContext: (stepId: string, signal: SignalLike, notes: Record<string, unknown>) => KindContext;
  /** Filled with each step's outcome as it is known (the caller's record of what was and was not restored). */
  readonly outcomes?: Map<string, UndoOutcome>;
}

/** What became of one step's undo. */
export type UndoOutcome =
  | { readonly status: 'rolled-back' | 'already-as-before' }
  | { readonly status: 'failed'; readonly error: string }
  | { readonly status: 'not-reached' };

/**
 * Undo steps in the given order (callers pass reverse completion order), each with undoToBefore().
 * A failing rollback does not stop the others. Each rollback action is preceded by a durable
 * `step.rollback-intent` record (fenced: a controller that lost its lock changes nothing more), and
 * none starts once `halt` is aborted. Returns true when every step is back.
 */
export async function rollbackSteps(items: readonly RollbackItem[], options: RollbackOptions): Promise<boolean> {
  const { emit, clock } = options;
  await emit({ type: 'rollback.started', reason: options.reason, steps: items.map((i) => i.stepId) });
  let allOk = true;
  const outcome = (id: string, o: UndoOutcome): void => void options.outcomes?.set(id, o);
  for (const [i, item] of items.entries()) {
    if (options.halt?.aborted) {
      for (const rest of items.slice(i)) outcome(rest.stepId, { status: 'not-reached' });
      throw options.halt.reason;
    }
    if (options.stop?.aborted) {
      // left for the next `drctl rollback`, which undoes what is not rolled back yet
      for (const rest of items.slice(i)) outcome(rest.stepId, { status: 'not-reached' });
      allOk = false;
      break;
    }
    const t0 = clock.monotonic();
    await emit({ type: 'step.rolling-back', stepId: item.stepId });
    const { kind, params, before } = item;
    if (kind.changesNothing) {
      // a wait or a gate changed nothing in the estate: there is nothing to undo, whatever its condition says now
      outcome(item.stepId, { status: 'already-as-before' });
      await emit({
        type: 'step.rolled-back',
        stepId: item.stepId,
        describe: ALREADY_AS_BEFORE,
        durationMs: clock.monotonic() - t0,
        changed: false,
      });
      continue;
    }
    if (kind.reversible?.(params) === false) {
      allOk = false;
      const message = `step "${item.stepId}" (${kind.name}) has no rollback defined`;
      outcome(item.stepId, { status: 'failed', error: message });
      await emit({
        type: 'step.rollback-failed',
        stepId: item.stepId,
        durationMs: 0,
        error: { phase: 'rollback', message, retryable: false },
      });
      continue;
    }
    const deadline = new Deadline(options.abort, item.timeoutMs, clock);
    const ctx = options.makeContext(item.stepId, deadline, {});
    const inFlight = new InFlight();
    let lastMiss: string | undefined;
    try {
      const interval = item.verifyIntervalMs ?? kind.verifyIntervalMs ?? DEFAULT_VERIFY_INTERVAL_MS;
      const { current, changed } = await undoToBefore({
        kind,
        params,
        before,
        ctx,
        signal: deadline.signal,
        clock,
        intervalMs: interval,
        onMiss: (d) => (lastMiss = d),
        inFlight,
        beforeChange: (current) => emit({ type: 'step.rollback-intent', stepId: item.stepId, current, before }),
      });
      // an undo that found the before-state in place did nothing, and says so (not the command it would have run)
      const describe = !changed
        ? ALREADY_AS_BEFORE
        : (kind.describeUndo?.(params, current, before) ?? kind.describe(params, current, before));
      outcome(item.stepId, { status: changed ? 'rolled-back' : 'already-as-before' });
      await emit({ type: 'step.rolled-back', stepId: item.stepId, describe, durationMs: clock.monotonic() - t0, changed });
    } catch (e) {
      allOk = false;
      if (deadline.aborted) await awaitStop(inFlight, clock, ctx, item.stepId);
      const info = toErrorInfo(e, item.timeoutMs);
      const message = lastMiss && !info.message.includes(lastMiss) ? `${info.message}: ${lastMiss}` : info.message;
      outcome(item.stepId, { status: 'failed', error: message });
      await emit({
        type: 'step.rollback-failed',
        stepId: item.stepId,
        error: { ...info, phase: 'rollback', message },
        durationMs: clock.monotonic() - t0,
      });
    } finally {
      deadline.dispose();
    }
  }
  await emit({ type: 'rollback.finished', ok: allOk });
  return allOk;
}
