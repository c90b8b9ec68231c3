import { stepError, type KindContext } from '../../model/kind.js';
import { splitAddr, withRedis } from './client.js';
import { roleText } from './decide.js';
import type { RedisFailoverParams, RedisFailoverState } from './params.js';
import { readSentinels, sentinelMaster, type SentinelView } from './sentinel-view.js';
import { nodeTarget } from './targets.js';

const POLL_MS = 100;

/**
 * Sentinel may elect on its own while we wait (a real outage: its down-after ran out). Done when it
 * elected the target; a retryable error (observe again) when it elected another node.
 */
export async function electedMeanwhile(
  p: RedisFailoverParams,
  s: RedisFailoverState,
  target: string,
  sentinel: string,
  ctx: KindContext,
): Promise<boolean> {
  const now = await sentinelMaster(p, sentinel, ctx).catch(() => s.master);
  if (now === target) {
    ctx.progress(`sentinel ${sentinel} elected ${target} by itself`);
    return true;
  }
  if (now !== null && now !== s.master) throw stepError(`sentinel ${sentinel} elected ${now} meanwhile, not ${target}`);
  return false;
}

/** A sentinel names another master than the observed one and the target: the election went elsewhere. */
function electedElsewhere(views: readonly SentinelView[], s: RedisFailoverState, target: string): SentinelView | undefined {
  return views.find((v) => v.master !== null && v.master !== s.master && v.master !== target);
}

/**
 * The target already has ROLE master while the sentinels (by majority) still name `s.master`. That is
 * either Sentinel's own election of it in flight (the observed master is down: a cut; or someone's
 * SENTINEL FAILOVER), or a stale master back from a cut. Sentinel electing it (a sentinel names it, or
 * one is failing over, or its master does not answer) → wait until a sentinel names it, then verify
 * waits for the others: never touch a node Sentinel is promoting. Stale (Sentinel lists it as a
 * replica, no failover, its master answers) → re-point it as Sentinel would on its next round and
 * return 'replica' (the caller fails over to it normally). Unknown to Sentinel → refused.
 */
export async function settleMasterTarget(
  p: RedisFailoverParams,
  s: RedisFailoverState,
  target: string,
  ctx: KindContext,
): Promise<'elected' | 'replica'> {
  for (;;) {
    const views = await readSentinels(p, ctx);
    if (views.length === 0) throw stepError(`redis sentinels ${(p.sentinels ?? []).join(', ')}: none answers`);
    if (views.some((v) => v.master === target)) {
      ctx.progress(`Sentinel elected ${target} by itself; waiting for every sentinel to agree`);
      return 'elected';
    }
    const other = electedElsewhere(views, s, target);
    if (other) throw stepError(`sentinel ${other.addr} elected ${other.master ?? '?'} meanwhile, not ${target}`);
    const known = views.some((v) => v.replicas.some((c) => c.addr === target));
    const named = s.nodes.find((n) => n.addr === s.master);
    if (!known && !views.some((v) => v.failingOver)) {
      throw stepError(
        `redis ${target}: ROLE is master, want a replica of ${s.master ?? '?'} (no sentinel knows it as a node of ${p.master}: refusing to touch a stranger)`,
        { retryable: false },
      );
    }
    if (known && !views.some((v) => v.failingOver) && named?.role === 'master') {
      ctx.progress(`redis ${target}: a stale master (Sentinel's master is ${s.master ?? '?'}); re-pointing it as a replica first`);
      const { host, port } = splitAddr(s.master ?? '');
      await withRedis(nodeTarget(p, target, ctx), (r) => r.call('REPLICAOF', host, String(port)));
      return 'replica';
    }
    const waiting = `redis ${target}: ROLE is master and Sentinel has not named it (${s.master ?? '?'} is ${named ? roleText(named) : 'unknown'}${views.some((v) => v.failingOver) ? '; a failover is in progress' : '; no sentinel is failing over'}): waiting for Sentinel`;
    ctx.progress(waiting);
    ctx.miss?.(waiting); // a step timeout says what it waited for, not "no answer"
    await ctx.clock.sleep(POLL_MS, ctx.signal);
  }
}

/**
 * Before an undo decides (kind.settle): wait until no answering sentinel is failing over the group or
 * sees its master down. Right after a cut is restored, Sentinel may still be electing (or about to): an
 * undo that found the old master "in place" would leave the group to that election. Bounded by
 * ctx.signal (the undo's deadline). Direct mode has no one electing.
 */
export async function waitSentinelsQuiet(p: RedisFailoverParams, ctx: KindContext): Promise<void> {
  if (!p.sentinels || p.sentinels.length === 0) return;
  for (;;) {
    const views = await readSentinels(p, ctx);
    const busy = views.filter((v) => v.failingOver || v.masterDown);
    if (views.length > 0 && busy.length === 0) return;
    const waiting =
      views.length === 0
        ? `no sentinel of ${p.master} answers yet`
        : `sentinel ${busy.map((v) => v.addr).join(', ')}: ${p.master} ${busy.some((v) => v.failingOver) ? 'failover in progress' : 'master seen down'}; waiting before deciding`;
    ctx.progress(waiting);
    ctx.miss?.(waiting);
    await ctx.clock.sleep(POLL_MS, ctx.signal);
  }
}
