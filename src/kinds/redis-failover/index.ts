import { defineKind } from '../define-kind.js';
import { parseDuration } from '../../util/duration.js';
import { decideFailover, describeFailover, holdsFailover } from './decide.js';
import { observeGroup } from './observe.js';
import { redisFailoverSchema, targetOf, type RedisFailoverParams, type RedisFailoverState } from './params.js';
import { moveMaster } from './switch.js';
import { loadRedisClient } from './client.js';

export type { RedisFailoverParams, RedisFailoverState } from './params.js';

export const redisFailoverKind = defineKind<RedisFailoverParams, RedisFailoverState>({
  name: 'redis.failover',
  description: 'Make a replica in a data center (or a given node) the master of a Redis group, through Sentinel or directly.',
  paramsSchema: redisFailoverSchema,
  outputNames: ['master', 'masterDc'],
  preload: loadRedisClient,
  check(p) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    if (!p.sentinels?.length && !p.nodes?.length) problems.push({ path: [], message: 'give sentinels (Sentinel mode) or nodes (direct mode)' });
    if (p.to !== undefined && 'dc' in targetOf(p) && !p.nodes?.length) problems.push({ path: ['to', 'dc'], message: 'to.dc needs nodes: [{addr, dc}] to know which node is in which data center' });
    if (p.nodeTimeout !== undefined && !p.nodeTimeout.includes('${') && parseDuration(p.nodeTimeout) === undefined) {
      problems.push({ path: ['nodeTimeout'], message: `bad duration "${p.nodeTimeout}": use e.g. 500ms, 1s` });
    }
    return problems;
  },
  observe: observeGroup,
  decide: decideFailover,
  async apply(p, change, ctx) {
    await moveMaster(p, change.current, change.desired.master ?? '', ctx);
  },
  holds: (_p, desired, current) => holdsFailover(desired, current),
  async rollback(p, change, ctx) {
    // Mastership goes back to the node that was master before (now a replica of the new one).
    await moveMaster(p, change.current, change.desired.master ?? '', ctx);
  },
  describe: (_p, before, after) => describeFailover(before, after),
  outputs: (_p, s) => ({ master: s.master, masterDc: s.masterDc }),
  verifyIntervalMs: 100,
});
