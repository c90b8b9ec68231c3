import { stepError, type KindContext } from '../../model/kind.js';
import { readRole, splitAddr, withRedis } from './client.js';
import { assertDirectPromotable, roleText } from './decide.js';
import type { NodeView, RedisFailoverParams, RedisFailoverState } from './params.js';
import { actedOnMember, askedLate, lateViews, onLateAnswer } from '../late-answers.js';
import { nodeTarget } from './targets.js';

/**
 * Direct mode: REPLICAOF NO ONE on the target, then REPLICAOF target on every other reachable node.
 * An undo (rollback, a drill's fail-back) may meet two masters: the step's own target and the old master
 * it moves back to (a cut that healed, or a switch that failed halfway). The old master first becomes a
 * replica of the other and catches up, so the writes made during the switch are kept, then it is promoted.
 */
export async function directSwitch(
  p: RedisFailoverParams,
  s: RedisFailoverState,
  target: string,
  ctx: KindContext,
  undo = false,
): Promise<void> {
  s = withLateNodes(s, ctx); // a lost node that answered after the survivors (a live old master) is re-pointed too
  let t = s.nodes.find((n) => n.addr === target);
  if (!t || t.role === 'unreachable' || t.role === 'other') {
    throw stepError(`redis ${target}: ROLE is ${t ? roleText(t) : 'unknown (not in nodes)'}, want a replica to promote`, {
      retryable: t?.role === 'unreachable',
    });
  }
  const masters = s.nodes.filter((n) => n.role === 'master');
  const other = masters.find((n) => n.addr !== target);
  if (undo && masters.length === 2 && t.role === 'master' && other) {
    ctx.progress(`redis ${target} and ${other.addr} both answer master: ${target} catches up from ${other.addr} before it is master again`);
    const at = splitAddr(other.addr);
    await withRedis(nodeTarget(p, target, ctx), (r) => r.call('REPLICAOF', at.host, String(at.port)));
    await waitLinked(p, target, other.addr, ctx);
    t = { ...t, role: 'replica', masterAddr: other.addr, link: 'connected' };
    s = { ...s, nodes: s.nodes.map((n) => (n.addr === target ? (t as typeof n) : n)) };
  }
  assertDirectPromotable(s, t);
  const started = ctx.clock.monotonic();
  if (t.role !== 'master') await withRedis(nodeTarget(p, target, ctx), (r) => r.call('REPLICAOF', 'NO', 'ONE'));
  const { host, port } = splitAddr(target);
  for (const n of s.nodes) {
    if (n.addr === target || n.role === 'unreachable') continue;
    if (n.role === 'replica' && n.masterAddr === target) continue;
    await withRedis(nodeTarget(p, n.addr, ctx), (r) => r.call('REPLICAOF', host, String(port)));
  }
  ctx.note('failoverMs', Math.round(ctx.clock.monotonic() - started));
  if (!undo) repointWhenAnswering(p, target, ctx);
}

/** The nodes with the late answers of lost nodes that came since the observe (late-answers.ts). */
function withLateNodes(s: RedisFailoverState, ctx: KindContext): RedisFailoverState {
  const late = lateViews<NodeView>(ctx);
  const nodes = s.nodes.map((n) => late.get(n.addr) ?? n);
  if (nodes.every((n, i) => n === s.nodes[i])) return s;
  ctx.note(
    'nodesAnsweredLate',
    nodes.filter((n, i) => n !== s.nodes[i]).map((n) => n.addr),
  );
  const masters = nodes.filter((n) => n.role === 'master');
  const master = masters.length === 1 ? (masters[0]?.addr ?? null) : null;
  return { ...s, nodes, master, masterDc: master === null ? null : (nodes.find((n) => n.addr === master)?.dc ?? null) };
}

/**
 * Lost nodes still being asked when the target was made master (not waited for): one that answered during
 * the switch, or answers while the step verifies, as anything but a replica of the target is alive after
 * all — an old master taking writes — and verify's next observe re-points it (REPLICAOF target) and then
 * counts it (late-answers.ts); an answer after the step has ended is not acted on. One that never answers is not waited for: when it comes back it still says master
 * (two masters) until the fail-back, or the runbook's own step, re-points it.
 */
function repointWhenAnswering(p: RedisFailoverParams, target: string, ctx: KindContext): void {
  const { host, port } = splitAddr(target);
  for (const addr of askedLate<string>(ctx).filter((a) => a !== target)) {
    onLateAnswer<NodeView>(ctx, addr, async (v) => {
      if (v.role === 'unreachable' || (v.role === 'replica' && v.masterAddr === target)) return;
      ctx.progress(
        `redis ${addr} (lost data center ${v.dc ?? '?'}) answered after ${target} became master, as ${roleText(v)}: re-pointing it`,
      );
      ctx.note('repointedLate', addr);
      actedOnMember(ctx, addr);
      await withRedis(nodeTarget(p, addr, ctx), (r) => r.call('REPLICAOF', host, String(port)));
    });
  }
}

/** Poll ROLE until `addr` replicates from `master` with its link up (the full sync done). */
async function waitLinked(p: RedisFailoverParams, addr: string, master: string, ctx: KindContext): Promise<void> {
  for (;;) {
    const role = await withRedis(nodeTarget(p, addr, ctx), readRole);
    if (role.role === 'replica' && role.masterAddr === master && role.link === 'connected') return;
    ctx.progress(`waiting for redis ${addr} to sync from ${master} (link ${role.link ?? role.role})`);
    await ctx.clock.sleep(50, ctx.signal);
  }
}
