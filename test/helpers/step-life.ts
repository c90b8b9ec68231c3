import type { Decision, StepKind } from '../../src/model/kind.js';
import { makeKindContext, type KindContextOptions, type TestKindContext } from './kind-context.js';

export interface StepLifeOptions extends KindContextOptions {
  /** Poll interval for verify (default: the kind's, else 100 ms). */
  readonly intervalMs?: number;
  /** Stop after the second decide (no rollback). */
  readonly skipRollback?: boolean;
}

export interface StepLifeResult<S> {
  readonly before: S;
  readonly decision: Decision<S>;
  /** The state that satisfied holds(desired) after apply (undefined when the first decide was noop). */
  readonly after: S | undefined;
  /** decide() on a fresh observe after verify: must be noop for an idempotent kind. */
  readonly again: Decision<S> | undefined;
  /** The state that satisfied holds(before) after rollback. */
  readonly restored: S | undefined;
  readonly describe: string;
  readonly ctx: TestKindContext;
}

/**
 * The step life as the engine runs it, for kind tests (Temporal's MockActivityEnvironment, but against
 * real servers): observe → decide → apply → poll observe until holds → observe + decide again → rollback
 * → poll until holds(before). Throws when verify or rollback does not hold within the timeout.
 */
export async function runStepLife<P, S>(kind: StepKind<P, S>, params: P, options: StepLifeOptions = {}): Promise<StepLifeResult<S>> {
  const ctx = makeKindContext(options);
  const interval = options.intervalMs ?? kind.verifyIntervalMs ?? 100;
  const before = await kind.observe(params, ctx);
  const decision = kind.decide(params, before);
  if (decision.action === 'noop') {
    return {
      before,
      decision,
      after: undefined,
      again: undefined,
      restored: undefined,
      describe: kind.describe(params, before, undefined),
      ctx,
    };
  }
  await kind.apply(params, { current: before, desired: decision.desired }, ctx);
  const after = await pollHolds(kind, params, decision.desired, ctx, interval, 'verify');
  const again = kind.decide(params, await kind.observe(params, ctx));
  const describe = kind.describe(params, before, after);
  if (options.skipRollback) return { before, decision, after, again, restored: undefined, describe, ctx };
  const restored = await rollbackTo(kind, params, before, ctx, interval);
  return { before, decision, after, again, restored, describe, ctx };
}

/** The engine's rollback: observe; unless before holds, rollback (or apply toward before); poll until it holds. */
export async function rollbackTo<P, S>(kind: StepKind<P, S>, params: P, before: S, ctx: TestKindContext, interval = 100): Promise<S> {
  const current = await kind.observe(params, ctx);
  if (kind.holds(params, before, current).ok) return current;
  const change = { current, desired: before };
  await (kind.rollback ? kind.rollback(params, change, ctx) : kind.apply(params, change, ctx));
  return pollHolds(kind, params, before, ctx, interval, 'rollback');
}

/**
 * The engine's verify: observe until holds, every `interval`, until the context's deadline. The deadline
 * may fire in the middle of an observe (which then stops at once: its error is the timeout's, as in the
 * engine) or of a pause; either way the error names what the last complete observe saw.
 */
export async function pollHolds<P, S>(
  kind: StepKind<P, S>,
  params: P,
  desired: S,
  ctx: TestKindContext,
  interval: number,
  phase: string,
): Promise<S> {
  let last = '';
  const timedOut = (): Error => new Error(`${kind.name} ${phase} did not hold before the timeout: ${last}`);
  for (;;) {
    if (ctx.signal.aborted) throw timedOut();
    let s: S;
    try {
      s = await kind.observe(params, ctx);
    } catch (e) {
      if (ctx.signal.aborted) throw timedOut();
      throw e;
    }
    const h = kind.holds(params, desired, s);
    if (h.ok) return s;
    last = h.detail;
    await ctx.clock.sleep(interval, ctx.signal).catch(() => undefined);
  }
}
