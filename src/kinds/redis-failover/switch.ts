import type { Redis } from 'ioredis';
import { stepError, type KindContext } from '../types.js';
import { describeError, flatToRecord, splitAddr, withRedis } from './client.js';
import { roleText } from './decide.js';
import { nodeTimeoutMs, UNREACHABLE } from './observe.js';
import type { RedisFailoverParams, RedisFailoverState } from './params.js';

const RETRY_MS = 300;

/** Make `target` the master of the group: Sentinel failover, or direct REPLICAOF. */
export async function moveMaster(p: RedisFailoverParams, current: RedisFailoverState, target: string, ctx: KindContext): Promise<void> {
  if (current.mode === 'direct') return directSwitch(p, current, target, ctx);
  if (current.master === target) return; // mastership in place: Sentinel reconfigures the replicas; verify waits
  const node = current.nodes.find((n) => n.addr === target);
  const named = current.nodes.find((n) => n.addr === current.master);
  // a master that Sentinel lists as one of the group's replicas; any other master is a stranger: refused below
  const ours = node?.role === 'master' && current.master !== null && (await sentinelKnowsReplica(p, current, target, ctx));
  if (ours && named?.role === 'master' && current.master !== null) {
    // Two masters, Sentinel naming the other one, which answers: the target is back from a cut (or a
    // partition) still believing it is master. Re-point it as Sentinel would on its next round, then
    // fail over to it normally.
    ctx.progress(`redis ${target}: a stale master (Sentinel's master is ${current.master}); re-pointing it as a replica first`);
    const { host, port } = splitAddr(current.master);
    await withRedis({ addr: target, password: p.password, timeoutMs: nodeTimeoutMs(p), signal: ctx.signal }, (r) => r.call('REPLICAOF', host, String(port)));
  } else if (ours) {
    // Sentinel's own failover is promoting the target (its master is down): wait for it to name it.
    ctx.progress(`redis ${target}: being promoted by Sentinel (${current.master ?? '?'} is ${named ? roleText(named) : 'unknown'})`);
    const sentinel = Object.entries(current.sentinels).find(([, v]) => !v.startsWith(UNREACHABLE))?.[0] ?? '';
    while (!(await electedMeanwhile(p, current, target, sentinel, ctx))) await ctx.clock.sleep(100, ctx.signal);
    return;
  } else if (!node || node.role !== 'replica') {
    throw stepError(`redis ${target}: ROLE is ${node ? roleText(node) : 'unknown (not a node of the group)'}, want a replica of ${current.master ?? '?'}`, { retryable: node?.role === 'unreachable' });
  }
  await withPriorities(p, current, target, ctx, (sentinel) => sentinelFailover(p, current, target, sentinel, ctx));
}

/** Does Sentinel list the node among the group's replicas (an old master it expects back), not a stranger? */
async function sentinelKnowsReplica(p: RedisFailoverParams, s: RedisFailoverState, target: string, ctx: KindContext): Promise<boolean> {
  const answering = Object.entries(s.sentinels).filter(([, v]) => !v.startsWith(UNREACHABLE)).map(([addr]) => addr);
  // any sentinel will do (one may not have processed the switch yet); a slow answer must not make it a stranger
  const timeoutMs = Math.max(nodeTimeoutMs(p), 1000);
  const views = await Promise.all(answering.map((addr) => sentinelCandidates(p, addr, ctx, timeoutMs).catch(() => [])));
  return views.some((v) => v.some((c) => c.addr === target));
}

/** The master one sentinel reports now (null: it does not know the group). */
async function sentinelMaster(p: RedisFailoverParams, addr: string, ctx: KindContext): Promise<string | null> {
  return withRedis({ addr, password: p.sentinelPassword, timeoutMs: nodeTimeoutMs(p), signal: ctx.signal }, async (r) => {
    const m = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', p.master)) as string[] | null;
    return m ? `${m[0]}:${m[1]}` : null;
  });
}

/**
 * Sentinel may elect on its own while we wait (a real outage: its down-after ran out). Done when it
 * elected the target; a retryable error (observe again) when it elected another node.
 */
async function electedMeanwhile(p: RedisFailoverParams, s: RedisFailoverState, target: string, sentinel: string, ctx: KindContext): Promise<boolean> {
  const now = await sentinelMaster(p, sentinel, ctx).catch(() => s.master);
  if (now === target) {
    ctx.progress(`sentinel ${sentinel} elected ${target} by itself`);
    return true;
  }
  if (now !== null && now !== s.master) throw stepError(`sentinel ${sentinel} elected ${now} meanwhile, not ${target}`);
  return false;
}

/**
 * Sentinel promotes the replica with the lowest non-zero replica-priority *as it last read it* (INFO
 * every 10 s). When the target is not already the only best candidate in the failing-over sentinel's
 * view, the other replicas get priority 0 for the duration of the failover, we wait until that
 * sentinel has seen it, and every priority is restored afterwards.
 */
async function withPriorities(p: RedisFailoverParams, s: RedisFailoverState, target: string, ctx: KindContext, fn: (sentinel: string) => Promise<void>): Promise<void> {
  const sentinel = Object.entries(s.sentinels).find(([, v]) => !v.startsWith(UNREACHABLE))?.[0] ?? '';
  let view = await sentinelCandidates(p, sentinel, ctx);
  // Right after a failover the sentinel needs a moment to see the old master back as a healthy replica.
  while (!view.find((c) => c.addr === target)?.ok) {
    if (await electedMeanwhile(p, s, target, sentinel, ctx)) return;
    ctx.progress(`waiting for sentinel ${sentinel} to see ${target} as a healthy replica of ${p.master}`);
    await ctx.clock.sleep(RETRY_MS, ctx.signal);
    view = await sentinelCandidates(p, sentinel, ctx);
  }
  const mine = view.find((c) => c.addr === target);
  if (mine?.priority === 0) throw stepError(`redis ${target}: replica-priority is 0 (never promote), want a non-zero priority`, { retryable: false });
  if (isOnlyBest(view, target)) return fn(sentinel);
  const others = s.nodes.filter((n) => n.role === 'replica' && n.addr !== target);
  const saved = new Map<string, string>();
  const opts = (addr: string) => ({ addr, password: p.password, timeoutMs: nodeTimeoutMs(p), signal: ctx.signal });
  try {
    for (const n of others) {
      await withRedis(opts(n.addr), async (r) => {
        saved.set(n.addr, await getPriority(r));
        await r.call('CONFIG', 'SET', 'replica-priority', '0');
      });
    }
    ctx.progress(`waiting for sentinel ${sentinel} to see ${target} as the only candidate (it reads replicas every 10s)`);
    while (!isOnlyBest(await sentinelCandidates(p, sentinel, ctx), target)) await ctx.clock.sleep(200, ctx.signal);
    await fn(sentinel);
  } finally {
    for (const [addr, prio] of saved) {
      await withRedis({ ...opts(addr), signal: new AbortController().signal }, (r) => r.call('CONFIG', 'SET', 'replica-priority', prio)).catch(() => {
        ctx.log.warn({ addr }, 'could not restore replica-priority');
      });
    }
  }
}

interface Candidate {
  readonly addr: string;
  readonly priority: number;
  /** Sentinel would consider it (flags exactly "slave": not down, not disconnected). */
  readonly ok: boolean;
}

async function sentinelCandidates(p: RedisFailoverParams, sentinel: string, ctx: KindContext, timeoutMs = nodeTimeoutMs(p)): Promise<Candidate[]> {
  return withRedis({ addr: sentinel, password: p.sentinelPassword, timeoutMs, signal: ctx.signal }, async (r) => {
    const reps = (await r.call('SENTINEL', 'REPLICAS', p.master)) as unknown[];
    return reps.map(flatToRecord).map((x) => ({ addr: `${x.ip}:${x.port}`, priority: Number(x['slave-priority']), ok: x.flags === 'slave' }));
  });
}

/** The target is a usable candidate and every other usable one has priority 0 or a worse (higher) one. */
function isOnlyBest(view: readonly Candidate[], target: string): boolean {
  const t = view.find((c) => c.addr === target);
  if (!t?.ok || t.priority === 0) return false;
  return view.every((c) => c.addr === target || !c.ok || c.priority === 0 || c.priority > t.priority);
}

async function getPriority(r: Redis): Promise<string> {
  const reply = (await r.call('CONFIG', 'GET', 'replica-priority')) as string[];
  return reply[1] ?? '100';
}

/**
 * SENTINEL FAILOVER on the given sentinel, retried while Sentinel refuses for a transient reason (a
 * failover in progress, or no usable replica yet right after a previous failover: it needs a moment
 * to see the old master back as a replica), then wait until that sentinel reports the target.
 */
async function sentinelFailover(p: RedisFailoverParams, s: RedisFailoverState, target: string, addr: string, ctx: KindContext): Promise<void> {
  const started = ctx.clock.monotonic();
  for (;;) {
    const reply = await withRedis({ addr, password: p.sentinelPassword, timeoutMs: nodeTimeoutMs(p), signal: ctx.signal }, async (r) => {
      try {
        await r.call('SENTINEL', 'FAILOVER', p.master);
        return 'OK';
      } catch (e) {
        return describeError(e);
      }
    }).catch((e: unknown) => describeError(e));
    if (reply === 'OK') {
      ctx.progress(`sentinel ${addr}: failover of ${p.master} started`);
      const promoted = await waitSentinelReports(p, addr, s.master, ctx);
      ctx.note('failoverMs', Math.round(ctx.clock.monotonic() - started));
      if (promoted !== target) {
        throw stepError(`sentinel ${addr}: promoted ${promoted ?? 'nothing'}, want ${target}`, { retryable: false });
      }
      await demoteStaleMasters(p, s, target, ctx);
      return;
    }
    if (!/INPROG|NOGOODSLAVE|unreachable|no answer/i.test(reply)) {
      throw stepError(`sentinel ${addr}: SENTINEL FAILOVER ${p.master} refused: ${reply}`, { retryable: false });
    }
    if (await electedMeanwhile(p, s, target, addr, ctx)) return;
    ctx.progress(`sentinel ${addr}: ${reply}; retrying until the step timeout`);
    await ctx.clock.sleep(RETRY_MS, ctx.signal);
  }
}

/** Wait until the sentinel that ran the failover reports a master other than `from`; returns it. */
async function waitSentinelReports(p: RedisFailoverParams, addr: string, from: string | null, ctx: KindContext): Promise<string | null> {
  for (;;) {
    const now = await sentinelMaster(p, addr, ctx).catch(() => from);
    if (now !== from) return now;
    await ctx.clock.sleep(50, ctx.signal);
  }
}

/**
 * After a planned failover the old master is still up and still a master until Sentinel's next INFO
 * round (about 10 s): writes to it would be lost. Re-point it now, as Sentinel would.
 */
async function demoteStaleMasters(p: RedisFailoverParams, s: RedisFailoverState, target: string, ctx: KindContext): Promise<void> {
  const { host, port } = splitAddr(target);
  for (const n of s.nodes) {
    if (n.addr === target || n.role !== 'master') continue;
    await withRedis({ addr: n.addr, password: p.password, timeoutMs: nodeTimeoutMs(p), signal: ctx.signal }, async (r) => {
      const role = (await r.call('ROLE')) as unknown[];
      if (role[0] === 'master') await r.call('REPLICAOF', host, String(port));
    }).catch((e: unknown) => ctx.log.warn({ addr: n.addr, error: describeError(e) }, 'could not re-point the old master'));
  }
}

/** Direct mode: REPLICAOF NO ONE on the target, then REPLICAOF target on every other reachable node. */
async function directSwitch(p: RedisFailoverParams, s: RedisFailoverState, target: string, ctx: KindContext): Promise<void> {
  const opts = (addr: string) => ({ addr, password: p.password, timeoutMs: nodeTimeoutMs(p), signal: ctx.signal });
  const t = s.nodes.find((n) => n.addr === target);
  if (!t || t.role === 'unreachable' || t.role === 'other') {
    throw stepError(`redis ${target}: ROLE is ${t ? roleText(t) : 'unknown (not in nodes)'}, want a replica to promote`, { retryable: t?.role === 'unreachable' });
  }
  const started = ctx.clock.monotonic();
  if (t.role !== 'master') await withRedis(opts(target), (r) => r.call('REPLICAOF', 'NO', 'ONE'));
  const { host, port } = splitAddr(target);
  for (const n of s.nodes) {
    if (n.addr === target || n.role === 'unreachable') continue;
    if (n.role === 'replica' && n.masterAddr === target) continue;
    await withRedis(opts(n.addr), (r) => r.call('REPLICAOF', host, String(port)));
  }
  ctx.note('failoverMs', Math.round(ctx.clock.monotonic() - started));
}
