import type { KindContext } from '../../model/kind.js';
import type { DbPrimaryParams, DbPrimaryState } from './params.js';

/**
 * In wait mode (no `promote`) the database elects its own primary (Patroni, OceanBase...) and verify
 * only polls observe. The step still records, like a promotion does, how long the election took from
 * the step's start (`electionMs`) and the elected member's lag as last seen while it was a standby
 * (`lagBytes`: what it may have missed; null when never seen caught up to a readable primary).
 * Kept per step attempt (its context), from the attempt's first observe.
 */
interface Watch {
  readonly startedMs: number;
  readonly lastLag: Record<string, number | null>;
  waiting: boolean;
  noted: boolean;
}

const watches = new WeakMap<KindContext, Watch>();

function watchOf(ctx: KindContext): Watch {
  let w = watches.get(ctx);
  if (!w) {
    w = { startedMs: ctx.clock.monotonic(), lastLag: {}, waiting: false, noted: false };
    watches.set(ctx, w);
  }
  return w;
}

/** Every observe: remember the standbys' lag; once waiting, note the election when a primary shows up in expectDcs. */
export function watchElection(p: DbPrimaryParams, s: DbPrimaryState, ctx: KindContext): void {
  const w = watchOf(ctx);
  if (w.waiting && !w.noted && s.primary !== null && s.primaryDc !== null && p.expectDcs.includes(s.primaryDc)) {
    w.noted = true;
    ctx.note('electionMs', Math.round(ctx.clock.monotonic() - w.startedMs));
    ctx.note('lagBytes', w.lastLag[s.primary] ?? null);
  }
  for (const [name, lag] of Object.entries(s.lagBytes)) if (lag !== null || !(name in w.lastLag)) w.lastLag[name] = lag;
}

/** apply in wait mode: from now on, the election is being waited for. */
export function awaitElection(ctx: KindContext): void {
  watchOf(ctx).waiting = true;
}
