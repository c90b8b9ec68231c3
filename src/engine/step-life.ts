import { ABORT_GRACE_MS, isStepError, type AnyKind, type KindContext } from '../model/kind.js';
import type { StepSpec } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';
import { Deadline, type SignalLike, TimeoutReason } from '../util/deadline.js';
import type { EventInput, StepErrorInfo, StepPhase, StepStatus } from '../model/events.js';
import { InFlight } from './in-flight.js';
import { pollUntil } from './poll.js';
import { backoffDelayMs } from './retry.js';

export const DEFAULT_VERIFY_INTERVAL_MS = 200;

export interface StepLifeInput {
  readonly step: StepSpec;
  readonly kind: AnyKind;
  readonly params: unknown;
  /** Aborted by a second SIGINT / run abort: cancels the running attempt. */
  readonly abort: AbortSignal;
  readonly clock: Clock;
  readonly emit: (e: EventInput) => Promise<void>;
  readonly makeContext: (signal: SignalLike, notes: Record<string, unknown>) => KindContext;
  /** Resume: an earlier process journaled an intent for this step (its apply may have acted). */
  readonly priorIntent?: boolean;
}

export interface StepLifeResult {
  readonly status: Extract<StepStatus, 'skipped' | 'applied' | 'failed' | 'cancelled'>;
  /** State observed before the change (what rollback restores); set once an intent was recorded. */
  readonly before: unknown;
  /**
   * An intent was journaled: apply may have changed something, even if the step then failed (an apply
   * that half-applied and exited 1). Such a step is rolled back with the applied ones.
   */
  readonly intended: boolean;
  readonly after: unknown;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly error: StepErrorInfo | undefined;
  readonly attempts: number;
  readonly phases: Readonly<Partial<Record<StepPhase, number>>>;
  readonly notes: Readonly<Record<string, unknown>>;
}

class PhaseError extends Error {
  constructor(
    readonly phase: StepPhase,
    readonly original: unknown,
    readonly lastMiss: string | undefined,
  ) {
    super('phase failed');
  }
}

/** One step: observe → decide → (intent) → apply → verify, with per-attempt timeout and retries. */
export async function runStepLife(input: StepLifeInput): Promise<StepLifeResult> {
  const { step, kind, params, clock, emit } = input;
  const phases: Partial<Record<StepPhase, number>> = {};
  const notes: Record<string, unknown> = {};
  let before: unknown;
  let intentJournaled = false;
  let intended = false;
  const timed = async <T>(phase: StepPhase, fn: () => Promise<T>, lastMiss?: () => string | undefined): Promise<T> => {
    const t0 = clock.monotonic();
    try {
      const v = await fn();
      phases[phase] = (phases[phase] ?? 0) + (clock.monotonic() - t0);
      await emit({ type: 'step.phase', stepId: step.id, phase, durationMs: clock.monotonic() - t0, ok: true });
      return v;
    } catch (e) {
      phases[phase] = (phases[phase] ?? 0) + (clock.monotonic() - t0);
      await emit({ type: 'step.phase', stepId: step.id, phase, durationMs: clock.monotonic() - t0, ok: false });
      throw new PhaseError(phase, e, lastMiss?.());
    }
  };
  const result = (status: StepLifeResult['status'], extra: Partial<StepLifeResult> & { attempts: number }): StepLifeResult => ({
    status,
    before,
    intended,
    after: undefined,
    outputs: {},
    error: undefined,
    phases,
    notes,
    ...extra,
  });

  for (let attempt = 1; ; attempt++) {
    await emit({ type: 'step.started', stepId: step.id, attempt });
    const deadline = new Deadline(input.abort, step.timeoutMs, clock);
    let lastMiss: string | undefined;
    // a kind waiting inside apply tells its last sample that did not hold: a timeout's message carries it
    const ctx = withMiss(input.makeContext(deadline, notes), (d) => (lastMiss = d));
    const inFlight = new InFlight();
    const race = <T>(p: Promise<T>): Promise<T> => deadline.race(inFlight.track(p));
    try {
      const current = await timed('observe', () => race(kind.observe(params, ctx)));
      const decision = kind.decide(params, current);
      if (decision.action === 'noop') {
        const outputs = kind.outputs?.(params, current) ?? {};
        if (intended) {
          // an earlier attempt's apply took effect before it failed: the step did change the world
          await emit({
            type: 'step.applied',
            stepId: step.id,
            after: current,
            describe: kind.describe(params, before, current),
            outputs,
            notes: { ...notes },
          });
          return result('applied', { after: current, outputs, attempts: attempt });
        }
        await emit({ type: 'step.skipped', stepId: step.id, reason: decision.reason ?? 'already done', state: current, outputs });
        return result('skipped', { after: current, outputs, attempts: attempt });
      }
      if (!intended) before = current;
      await emit({
        type: 'step.intent',
        stepId: step.id,
        attempt,
        before,
        desired: decision.desired,
        describe: kind.describe(params, current, decision.desired),
      });
      intentJournaled = true;
      const intendedEarlier = intended;
      intended = true;
      lastMiss = undefined;
      await timed(
        'apply',
        () => race(kind.apply(params, { current, desired: decision.desired }, ctx)),
        () => lastMiss,
      ).catch((e: unknown) => {
        // an apply that could not even begin (a command not found) changed nothing, if no earlier attempt's did
        if (!intendedEarlier && e instanceof PhaseError && isStepError(e.original) && e.original.unchanged) intended = false;
        throw e;
      });
      const interval = step.verifyIntervalMs ?? kind.verifyIntervalMs ?? DEFAULT_VERIFY_INTERVAL_MS;
      const after = await timed(
        'verify',
        () =>
          pollUntil(
            () => race(kind.observe(params, ctx)),
            (s) => kind.holds(params, decision.desired, s),
            {
              intervalMs: interval,
              get signal() {
                return deadline.signal;
              },
              clock,
            },
            (d) => (lastMiss = d),
          ),
        () => lastMiss,
      );
      const outputs = kind.outputs?.(params, after) ?? {};
      await emit({
        type: 'step.applied',
        stepId: step.id,
        after,
        describe: kind.describe(params, before, after),
        outputs,
        notes: { ...notes },
      });
      return result('applied', { after, outputs, attempts: attempt });
    } catch (e) {
      if (deadline.aborted) await awaitStop(inFlight, clock, ctx, step.id);
      const info = withTimeSpent(toErrorInfo(e, step.timeoutMs), e, phases);
      if (input.abort.aborted) {
        await emit({ type: 'step.cancelled', stepId: step.id, reason: `cancelled during ${info.phase}` });
        return result('cancelled', { error: info, attempts: attempt });
      }
      if (info.retryable && attempt <= step.retry.retries) {
        const delayMs = backoffDelayMs(step.retry, attempt + 1);
        await emit({ type: 'step.retrying', stepId: step.id, attempt: attempt + 1, delayMs, error: info });
        try {
          await clock.sleep(delayMs, input.abort);
        } catch {
          await emit({ type: 'step.cancelled', stepId: step.id, reason: 'cancelled while waiting to retry' });
          return result('cancelled', { error: info, attempts: attempt });
        }
        continue;
      }
      // its intent is in the journal, but nothing was changed: the record says so, and no rollback undoes it
      const failed = intentJournaled && !intended && input.priorIntent !== true ? { ...info, unchanged: true } : info;
      await emit({ type: 'step.failed', stepId: step.id, error: failed, notes: { ...notes } });
      return result('failed', { error: failed, attempts: attempt });
    } finally {
      deadline.dispose();
    }
  }
}

/**
 * The kind's context with `miss` recording the last sample's detail: its own properties copied as they
 * are (getters stay live, and a kind that spreads it, `{ ...ctx, signal }`, still gets every member).
 */
function withMiss(ctx: KindContext, record: (detail: string) => void): KindContext {
  return Object.defineProperties(
    {},
    { ...Object.getOwnPropertyDescriptors(ctx), miss: { value: record, enumerable: true, writable: true, configurable: true } },
  ) as KindContext;
}

/**
 * After a timeout or a cancellation, wait (ABORT_GRACE_MS at most) for the kind's call to stop before a
 * retry or a rollback acts on the same system; a kind that does not stop by then is logged.
 */
export async function awaitStop(inFlight: InFlight, clock: Clock, ctx: KindContext, stepId: string): Promise<void> {
  if (!(await inFlight.settle(clock, ABORT_GRACE_MS))) {
    ctx.log.warn({ stepId, graceMs: ABORT_GRACE_MS }, "the step's kind did not stop within the grace after its deadline; going on");
  }
}

/**
 * A timeout with no "last seen" detail (the phase never got an answer: a silent server) says where the
 * step's time went, so "verify timed out after 3s" is not all a user reads.
 */
function withTimeSpent(info: StepErrorInfo, e: unknown, phases: Partial<Record<StepPhase, number>>): StepErrorInfo {
  if (!info.timedOut || (e instanceof PhaseError && e.lastMiss)) return info;
  const spent = (['observe', 'apply', 'verify'] as const)
    .filter((p) => phases[p] !== undefined)
    .map((p) => `${p} ${formatDuration(phases[p] ?? 0)}`);
  return { ...info, message: `${info.message}: no answer within the step's timeout (time spent: ${spent.join(', ')})` };
}

/** Map anything a kind threw into the recorded error shape. */
export function toErrorInfo(e: unknown, timeoutMs: number): StepErrorInfo {
  const phase = e instanceof PhaseError ? e.phase : 'apply';
  const original = e instanceof PhaseError ? e.original : e;
  const lastMiss = e instanceof PhaseError ? e.lastMiss : undefined;
  if (original instanceof TimeoutReason) {
    const why = lastMiss ? `: ${lastMiss}` : '';
    return { phase, message: `${phase} timed out after ${formatDuration(timeoutMs)}${why}`, retryable: true, timedOut: true };
  }
  const message = original instanceof Error ? original.message : String(original);
  return { phase, message, retryable: isStepError(original) ? original.retryable : true };
}
