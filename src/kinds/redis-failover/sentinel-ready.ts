import type { KindContext } from '../../model/kind.js';
import { flatToRecord, withRedis } from './client.js';
import { electedMeanwhile } from './election.js';
import type { RedisFailoverParams, RedisFailoverState } from './params.js';
import { answeringSentinels, sentinelCandidates } from './sentinel-view.js';
import { sentinelTarget } from './targets.js';

const POLL_MS = 300;

/**
 * Wait until every sentinel that answers sees `target` as a healthy replica that reports itself a
 * replica (Sentinel's `role-reported`), before a failover promotes it. A sentinel that still has it as
 * a master reporting "master" (a stale master just re-pointed, its INFO not read since) would take the
 * promotion for that stale master living on and convert it back to a replica mid-failover, and the
 * failover aborts (seen in the lab under load). Sentinels that do not answer now are not waited for (a
 * cut). Returns true when Sentinel elected the target by itself meanwhile.
 */
export async function untilSentinelsSeeReplica(
  p: RedisFailoverParams,
  s: RedisFailoverState,
  target: string,
  sentinel: string,
  ctx: KindContext,
): Promise<boolean> {
  for (;;) {
    const views = await Promise.all(
      answeringSentinels(s).map((a) =>
        sentinelCandidates(p, a, ctx).then(
          (v) => ({ a, v }),
          () => undefined,
        ),
      ),
    );
    const behind = views.filter((x) => x !== undefined && !x.v.find((c) => c.addr === target)?.ok).map((x) => x?.a);
    if (behind.length === 0 && views.some((x) => x !== undefined)) return false;
    if (await electedMeanwhile(p, s, target, sentinel, ctx)) return true;
    ctx.progress(
      `waiting for sentinel${behind.length === 1 ? '' : 's'} ${behind.join(', ')} to see ${target} as a healthy replica of ${p.master}`,
    );
    await ctx.clock.sleep(POLL_MS, ctx.signal);
  }
}

/** The master one sentinel reports, and whether it is running a failover of the group now. */
export async function sentinelFailoverView(
  p: RedisFailoverParams,
  addr: string,
  ctx: KindContext,
): Promise<{ master: string | null; failingOver: boolean }> {
  return withRedis(sentinelTarget(p, addr, ctx), async (r) => {
    const m = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', p.master)) as string[] | null;
    const info = flatToRecord(await r.call('SENTINEL', 'MASTER', p.master));
    return { master: m ? `${m[0]}:${m[1]}` : null, failingOver: (info.flags ?? '').includes('failover_in_progress') };
  });
}
