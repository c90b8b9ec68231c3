import { stepError, type KindContext } from '../types.js';
import { splitAddr, withRedis } from './client.js';
import { assertDirectPromotable, roleText } from './decide.js';
import type { RedisFailoverParams, RedisFailoverState } from './params.js';
import { nodeTarget } from './targets.js';

/** Direct mode: REPLICAOF NO ONE on the target, then REPLICAOF target on every other reachable node. */
export async function directSwitch(p: RedisFailoverParams, s: RedisFailoverState, target: string, ctx: KindContext): Promise<void> {
  const t = s.nodes.find((n) => n.addr === target);
  if (!t || t.role === 'unreachable' || t.role === 'other') {
    throw stepError(`redis ${target}: ROLE is ${t ? roleText(t) : 'unknown (not in nodes)'}, want a replica to promote`, { retryable: t?.role === 'unreachable' });
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
