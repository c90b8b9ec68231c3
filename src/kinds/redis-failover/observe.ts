import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { askAll, notWaitedText } from '../survivors.js';
import { keepLate, knownAlive, lateActions, pendingLate } from '../late-answers.js';
import { flatToRecord, readRole, withRedis } from './client.js';
import type { NodeView, RedisFailoverParams, RedisFailoverState } from './params.js';
import { nodeTarget, sentinelTarget } from './targets.js';

export const UNREACHABLE = 'unreachable';

export const dcOf = (p: RedisFailoverParams, addr: string | null): string | null =>
  addr === null ? null : (p.nodes?.find((n) => n.addr === addr)?.dc ?? null);

/** Read-only: what every sentinel says, and the ROLE of every known node. */
export async function observeGroup(p: RedisFailoverParams, ctx: KindContext): Promise<RedisFailoverState> {
  if (p.sentinels && p.sentinels.length > 0) return observeSentinel(p, p.sentinels, ctx);
  if (!p.nodes || p.nodes.length === 0) {
    throw stepError('redis.failover: give sentinels (Sentinel mode) or nodes (direct mode)', { retryable: false });
  }
  // direct mode: drctl itself re-points the old master, so a lost node's late answer is kept (late-answers.ts)
  await lateActions(ctx);
  const nodes = await readNodes(
    p,
    p.nodes.map((n) => n.addr),
    ctx,
    true,
  );
  const masters = nodes.filter((n) => n.role === 'master');
  const master = masters.length === 1 ? (masters[0]?.addr ?? null) : null;
  return { group: p.master, mode: 'direct', master, masterDc: dcOf(p, master), sentinels: {}, nodes };
}

/** One sentinel's answer: the master it names (or why none), the replicas it knows, its quorum. */
interface SentinelAnswer {
  readonly addr: string;
  readonly view: string;
  readonly replicas: readonly string[];
  readonly quorum?: number;
}

/** Where a sentinel lives (params.dcs), when the runbook says. */
export const sentinelDc = (p: RedisFailoverParams, addr: string): string | null => p.dcs?.[addr] ?? null;

/**
 * Sentinel mode: the survivors first. The sentinels are asked at once (a lost one is not waited for),
 * then the nodes they name; the old master in a lost data center is recorded, not waited for (ctx.lost).
 */
async function observeSentinel(p: RedisFailoverParams, sentinels: readonly string[], ctx: KindContext): Promise<RedisFailoverState> {
  const views = await askAll<string, SentinelAnswer>({
    members: sentinels,
    ctx,
    dcOf: (addr) => sentinelDc(p, addr),
    silent: (addr, dc) => ({ addr, view: `${UNREACHABLE}: ${notWaitedText(dc)}`, replicas: [] as string[] }),
    onNotWaited: (addrs) => ctx.note('sentinelsNotWaitedFor', addrs),
    ask: async (addr, ctx) => {
      try {
        return await withRedis(sentinelTarget(p, addr, ctx), async (r) => {
          const m = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', p.master)) as string[] | null;
          if (!m) return { addr, view: 'unknown group', replicas: [] as string[] };
          const reps = (await r.call('SENTINEL', 'REPLICAS', p.master)) as unknown[];
          const quorum = Number(flatToRecord(await r.call('SENTINEL', 'MASTER', p.master)).quorum);
          return { addr, view: `${m[0]}:${m[1]}`, replicas: reps.map((x) => flatToRecord(x)).map((x) => `${x.ip}:${x.port}`), quorum };
        });
      } catch (e) {
        if (ctx.signal.aborted || (isStepError(e) && !e.retryable)) throw e;
        return { addr, view: `${UNREACHABLE}: ${e instanceof Error ? e.message : String(e)}`, replicas: [] as string[] };
      }
    },
  });
  const answering = views.filter((v) => !v.view.startsWith(UNREACHABLE));
  if (answering.length === 0) {
    throw stepError(`redis sentinels unreachable: ${views.map((v) => v.view.replace(`${UNREACHABLE}: `, '')).join('; ')}`);
  }
  const known = answering.filter((v) => v.view !== 'unknown group');
  if (known.length === 0) {
    throw stepError(
      `redis sentinels ${answering.map((v) => v.addr).join(', ')}: no group named "${p.master}" (SENTINEL GET-MASTER-ADDR-BY-NAME returned nil)`,
      { retryable: false },
    );
  }
  const master = majority(known.map((v) => v.view));
  const addrs = new Set<string>([master, ...(p.nodes ?? []).map((n) => n.addr), ...known.flatMap((v) => v.replicas)]);
  const nodes = await readNodes(p, [...addrs], ctx);
  const quorums = known.flatMap((v) => (v.quorum !== undefined && Number.isInteger(v.quorum) ? [v.quorum] : []));
  return {
    group: p.master,
    mode: 'sentinel',
    master,
    masterDc: dcOf(p, master),
    sentinels: Object.fromEntries(views.map((v) => [v.addr, v.view])),
    nodes,
    ...(quorums.length > 0 ? { quorum: Math.max(...quorums) } : {}),
  };
}

function majority(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

async function readNodes(p: RedisFailoverParams, addrs: readonly string[], ctx: KindContext, keep = false): Promise<NodeView[]> {
  const views = await askAll({
    members: addrs,
    ctx,
    // a lost node that answered late in this attempt (or that the step re-pointed) is alive: waited for
    dcOf: (addr) => (keep && knownAlive(ctx, addr) ? null : dcOf(p, addr)),
    ...(keep ? { late: (addr: string, answer: Promise<NodeView>) => keepLate(ctx, addr, addr, answer) } : {}),
    silent: (addr, dc): NodeView => ({ addr, dc, role: 'unreachable', detail: notWaitedText(dc) }),
    onNotWaited: (lost) => ctx.note('nodesNotWaitedFor', lost),
    ask: async (addr, ctx): Promise<NodeView> => {
      const pending = keep ? pendingLate<NodeView>(ctx, addr) : undefined;
      if (pending) return pending;
      const dc = dcOf(p, addr);
      try {
        const role = await withRedis(nodeTarget(p, addr, ctx), readRole);
        if (role.role === 'master') return { addr, dc, role: 'master', ...(role.offset === undefined ? {} : { offset: role.offset }) };
        if (role.role === 'replica') {
          return { addr, dc, role: 'replica', masterAddr: role.masterAddr ?? '', link: role.link ?? '', offset: role.offset ?? 0 };
        }
        return { addr, dc, role: 'other', detail: `ROLE is ${role.role}` };
      } catch (e) {
        if (ctx.signal.aborted || (isStepError(e) && !e.retryable)) throw e;
        return { addr, dc, role: 'unreachable', detail: e instanceof Error ? e.message : String(e) };
      }
    },
  });
  return views.sort((a, b) => a.addr.localeCompare(b.addr));
}
