import { isStepError, type KindContext } from '../../model/kind.js';
import { flatToRecord, withRedis } from './client.js';
import { askAll } from '../survivors.js';
import { sentinelDc, UNREACHABLE } from './observe.js';
import type { RedisFailoverParams, RedisFailoverState } from './params.js';
import { nodeTimeoutMs, sentinelTarget } from './targets.js';

/** A replica as one sentinel sees it. */
export interface Candidate {
  readonly addr: string;
  readonly priority: number;
  /** Sentinel would consider it (flags exactly "slave": not down, not disconnected), and its INFO says it is a replica. */
  readonly ok: boolean;
}

/** One sentinel's view of the group right now. */
export interface SentinelView {
  readonly addr: string;
  /** The master it advertises (during its own failover: the promoted replica, once it is reconfiguring the others). */
  readonly master: string | null;
  /** It is running a failover of the group (it is the leader of an election). */
  readonly failingOver: boolean;
  /** It sees the group's master down (s_down or o_down): a failover may be about to start. */
  readonly masterDown: boolean;
  readonly replicas: readonly Candidate[];
}

/** One entry of SENTINEL REPLICAS: usable = flags exactly "slave" (not down, not disconnected) and it reports itself a replica. */
const toCandidate = (x: Record<string, string>): Candidate => ({
  addr: `${x.ip}:${x.port}`,
  priority: Number(x['slave-priority']),
  ok: x.flags === 'slave' && (x['role-reported'] ?? 'slave') === 'slave',
});

/** The sentinels that answered at observe time (any one of them will do for a command). */
export const answeringSentinels = (s: RedisFailoverState): string[] =>
  Object.entries(s.sentinels)
    .filter(([, v]) => !v.startsWith(UNREACHABLE))
    .map(([addr]) => addr);

/** The master one sentinel reports now (null: it does not know the group). */
export async function sentinelMaster(p: RedisFailoverParams, addr: string, ctx: KindContext): Promise<string | null> {
  return withRedis(sentinelTarget(p, addr, ctx), async (r) => {
    const m = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', p.master)) as string[] | null;
    return m ? `${m[0]}:${m[1]}` : null;
  });
}

export async function sentinelCandidates(
  p: RedisFailoverParams,
  sentinel: string,
  ctx: KindContext,
  timeoutMs = nodeTimeoutMs(p),
): Promise<Candidate[]> {
  return withRedis(sentinelTarget(p, sentinel, ctx, timeoutMs), async (r) => {
    const reps = (await r.call('SENTINEL', 'REPLICAS', p.master)) as unknown[];
    return reps.map(flatToRecord).map(toCandidate);
  });
}

/** Every sentinel's view now; the ones that do not answer are left out (at least 1 s each: a slow answer is still an answer). */
export async function readSentinels(p: RedisFailoverParams, ctx: KindContext): Promise<SentinelView[]> {
  const timeoutMs = Math.max(nodeTimeoutMs(p), 1000);
  // a sentinel in a lost data center is not waited for (ctx.lost): left out, as one that does not answer
  const views = await askAll({
    members: p.sentinels ?? [],
    ctx,
    dcOf: (addr) => sentinelDc(p, addr),
    silent: () => undefined,
    ask: async (addr, ctx) =>
      withRedis(sentinelTarget(p, addr, ctx, timeoutMs), async (r): Promise<SentinelView> => {
        const m = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', p.master)) as string[] | null;
        const info = flatToRecord(await r.call('SENTINEL', 'MASTER', p.master));
        const reps = ((await r.call('SENTINEL', 'REPLICAS', p.master)) as unknown[]).map(flatToRecord);
        return {
          addr,
          master: m ? `${m[0]}:${m[1]}` : null,
          failingOver: (info.flags ?? '').includes('failover_in_progress'),
          masterDown: /\b[so]_down\b/.test(info.flags ?? ''),
          replicas: reps.map(toCandidate),
        };
      }).catch((e: unknown) => {
        if (ctx.signal.aborted || (isStepError(e) && !e.retryable)) throw e;
        return undefined;
      }),
  });
  return views.filter((v): v is SentinelView => v !== undefined);
}
