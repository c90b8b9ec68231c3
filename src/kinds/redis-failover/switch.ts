import type { Redis } from 'ioredis';
import { stepError, type KindContext } from '../../model/kind.js';
import { describeError, splitAddr, withRedis } from './client.js';
import { roleText } from './decide.js';
import { directSwitch } from './direct.js';
import { electedMeanwhile, settleMasterTarget } from './election.js';
import type { RedisFailoverParams, RedisFailoverState } from './params.js';
import { untilSentinelsSeeReplica, sentinelFailoverView } from './sentinel-ready.js';
import { answeringSentinels, sentinelCandidates, type Candidate } from './sentinel-view.js';
import { nodeTarget, sentinelTarget } from './targets.js';

const RETRY_MS = 300;
/** Time to restore the replicas' priorities after the failover (or its timeout). */
const RESTORE_MS = 2000;
/** The most a normal (not cut short) restore of replica priorities may take: the step's own time beyond that is not needed. */
const RESTORE_MAX_MS = 30_000;

/** Make `target` the master of the group: Sentinel failover, or direct REPLICAOF. */
export async function moveMaster(
  p: RedisFailoverParams,
  current: RedisFailoverState,
  target: string,
  ctx: KindContext,
  undo = false,
): Promise<void> {
  if (current.mode === 'direct') return directSwitch(p, current, target, ctx, undo);
  if (current.master === target) return; // mastership in place: Sentinel reconfigures the replicas; verify waits
  const node = current.nodes.find((n) => n.addr === target);
  if (node?.role === 'master') {
    // Sentinel may be electing it right now (a cut): never fight that election; a stale master is re-pointed first.
    if ((await settleMasterTarget(p, current, target, ctx)) === 'elected') return demoteStaleMasters(p, current, target, ctx);
  } else if (!node || node.role !== 'replica') {
    throw stepError(
      `redis ${target}: ROLE is ${node ? roleText(node) : 'unknown (not a node of the group)'}, want a replica of ${current.master ?? '?'}`,
      { retryable: node?.role === 'unreachable' },
    );
  }
  await withPriorities(p, current, target, ctx, (sentinel) => sentinelFailover(p, current, target, sentinel, ctx));
}

/**
 * Sentinel promotes the replica with the lowest non-zero replica-priority *as it last read it* (INFO
 * every 10 s). When the target is not already the only best candidate in the failing-over sentinel's
 * view, the other replicas get priority 0 for the duration of the failover, we wait until that
 * sentinel has seen it, and every priority is restored afterwards.
 */
async function withPriorities(
  p: RedisFailoverParams,
  s: RedisFailoverState,
  target: string,
  ctx: KindContext,
  fn: (sentinel: string) => Promise<void>,
): Promise<void> {
  const sentinel = answeringSentinels(s)[0] ?? '';
  // Right after a failover (or a stale master re-pointed) the sentinels need a moment to see the target as a healthy replica.
  if (await untilSentinelsSeeReplica(p, s, target, sentinel, ctx)) return;
  const view = await sentinelCandidates(p, sentinel, ctx);
  const mine = view.find((c) => c.addr === target);
  if (mine?.priority === 0)
    throw stepError(`redis ${target}: replica-priority is 0 (never promote), want a non-zero priority`, { retryable: false });
  if (isOnlyBest(view, target)) return fn(sentinel);
  const others = s.nodes.filter((n) => n.role === 'replica' && n.addr !== target);
  const saved = new Map<string, string>();
  try {
    for (const n of others) {
      await withRedis(nodeTarget(p, n.addr, ctx), async (r) => {
        saved.set(n.addr, await getPriority(r));
        await r.call('CONFIG', 'SET', 'replica-priority', '0');
      });
    }
    ctx.progress(`waiting for sentinel ${sentinel} to see ${target} as the only candidate (it reads replicas every 10s)`);
    while (!isOnlyBest(await sentinelCandidates(p, sentinel, ctx), target)) {
      if (await electedMeanwhile(p, s, target, sentinel, ctx)) return;
      await ctx.clock.sleep(200, ctx.signal);
    }
    await fn(sentinel);
  } finally {
    // restored also after a timeout or a cancel (a replica left at priority 0 is never elected), all at
    // once. Cut short (the step's deadline, a cancel): within RESTORE_MS, inside the kind's abort grace, so
    // a frozen node cannot hold the step longer. Otherwise with what is left of the step's time (at least
    // RESTORE_MS): a busy machine must not leave a replica unelectable because a 2 s limit passed. A
    // restore that fails is tried once more on a fresh connection while time is left.
    const left = ctx.signal.aborted ? RESTORE_MS : Math.min(Math.max(RESTORE_MS, ctx.remainingMs?.() ?? RESTORE_MS), RESTORE_MAX_MS);
    const restoring = AbortSignal.timeout(left);
    const restore = (addr: string, prio: string): Promise<unknown> =>
      withRedis({ ...nodeTarget(p, addr, ctx), signal: restoring }, (r) => r.call('CONFIG', 'SET', 'replica-priority', prio));
    const notRestored: string[] = [];
    await Promise.all(
      [...saved].map(([addr, prio]) =>
        restore(addr, prio)
          .catch((e: unknown) => (restoring.aborted ? Promise.reject(e) : restore(addr, prio)))
          .catch(() => {
            ctx.log.warn({ addr }, 'could not restore replica-priority');
            notRestored.push(addr);
          }),
      ),
    );
    // said in the step's notes: a replica left at priority 0 is never elected until someone resets it
    if (notRestored.length > 0) ctx.note('replicaPriorityNotRestored', notRestored);
  }
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
 * to see the old master back as a replica), then wait until that sentinel reports the target. The
 * command is sent only while that sentinel still names the observed master: once Sentinel has elected
 * (the target, or another node) by itself, a failover would move mastership away again.
 */
async function sentinelFailover(
  p: RedisFailoverParams,
  s: RedisFailoverState,
  target: string,
  addr: string,
  ctx: KindContext,
): Promise<void> {
  const started = ctx.clock.monotonic();
  for (;;) {
    const reply = await withRedis(sentinelTarget(p, addr, ctx), async (r) => {
      const m = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', p.master)) as string[] | null;
      if (m && `${m[0]}:${m[1]}` !== s.master) return 'MOVED';
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
      if (promoted === ABORTED) {
        // Sentinel gave up (its failover-timeout: the promoted node did not report itself master in time,
        // or another sentinel converted it back): the old master stays; try again within the step's time
        ctx.progress(`sentinel ${addr}: the failover of ${p.master} was aborted by Sentinel; retrying until the step timeout`);
        if (await untilSentinelsSeeReplica(p, s, target, addr, ctx)) return;
        continue;
      }
      ctx.note('failoverMs', Math.round(ctx.clock.monotonic() - started));
      if (promoted !== target) {
        throw stepError(`sentinel ${addr}: promoted ${promoted ?? 'nothing'}, want ${target}`, { retryable: false });
      }
      await demoteStaleMasters(p, s, target, ctx);
      return;
    }
    if (reply !== 'MOVED' && !/INPROG|NOGOODSLAVE|unreachable|no answer/i.test(reply)) {
      throw stepError(`sentinel ${addr}: SENTINEL FAILOVER ${p.master} refused: ${reply}`, { retryable: false });
    }
    if (await electedMeanwhile(p, s, target, addr, ctx)) return;
    ctx.progress(`sentinel ${addr}: ${reply}; retrying until the step timeout`);
    await ctx.clock.sleep(RETRY_MS, ctx.signal);
  }
}

const ABORTED = Symbol('aborted');

/**
 * Wait until the sentinel that ran the failover reports a master other than `from` (returned), or ends
 * its failover without one (ABORTED: Sentinel clears failover_in_progress and switches the master in
 * the same step, so "not failing over, same master" is an abort, never a success not yet seen).
 */
async function waitSentinelReports(
  p: RedisFailoverParams,
  addr: string,
  from: string | null,
  ctx: KindContext,
): Promise<string | null | typeof ABORTED> {
  for (;;) {
    const now = await sentinelFailoverView(p, addr, ctx).catch(() => undefined);
    if (now && now.master !== from) return now.master;
    if (now && !now.failingOver) return ABORTED;
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
    await withRedis(nodeTarget(p, n.addr, ctx), async (r) => {
      const role = (await r.call('ROLE')) as unknown[];
      if (role[0] === 'master') await r.call('REPLICAOF', host, String(port));
    }).catch((e: unknown) => ctx.log.warn({ addr: n.addr, error: describeError(e) }, 'could not re-point the old master'));
  }
}
