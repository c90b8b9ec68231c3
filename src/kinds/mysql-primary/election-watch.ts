import type { KindContext } from '../../model/kind.js';
import type { MysqlPrimaryParams, MysqlPrimaryState } from './params.js';

/**
 * Wait mode (no `promote`): orchestrator or MHA elects, the step only verifies. It still records how
 * long the election took from the step attempt's first observe (`electionMs`) and the elected member's
 * lag as last seen while it was a replica (`lagTransactions`: null when never seen beside a readable primary).
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

export function watchElection(p: MysqlPrimaryParams, s: MysqlPrimaryState, ctx: KindContext): void {
  const w = watchOf(ctx);
  if (w.waiting && !w.noted && s.primary !== null && s.writable.length === 1 && p.expectDcs.includes(s.primaryDc ?? '')) {
    w.noted = true;
    ctx.note('electionMs', Math.round(ctx.clock.monotonic() - w.startedMs));
    ctx.note('lagTransactions', w.lastLag[s.primary] ?? null);
  }
  for (const [name, lag] of Object.entries(s.lag)) if (lag !== null || !(name in w.lastLag)) w.lastLag[name] = lag;
}

export function awaitElection(ctx: KindContext): void {
  watchOf(ctx).waiting = true;
}
