import { stepError, type KindContext } from '../../model/kind.js';
import { readRole, splitAddr, withRedis } from './client.js';
import { assertDirectPromotable, roleText } from './decide.js';
import type { RedisFailoverParams, RedisFailoverState } from './params.js';
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
