import { defineKind } from '../define-kind.js';
import { stepError } from '../../model/kind.js';
import { parseDuration } from '../../util/duration.js';
import { hostPortProblemText, parseHostPort } from '../../infra/host-port.js';
import { assessFailover } from './assess.js';
import { decideFailover, describeFailover, holdsFailover } from './decide.js';
import { observeGroup } from './observe.js';
import { redisFailoverSchema, targetOf, type RedisFailoverParams, type RedisFailoverState } from './params.js';
import { moveMaster } from './switch.js';
import { waitSentinelsQuiet } from './election.js';
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
    if (!p.sentinels?.length && !p.nodes?.length)
      problems.push({ path: [], message: 'give sentinels (Sentinel mode) or nodes (direct mode)' });
    if (p.to !== undefined && 'dc' in targetOf(p) && !p.nodes?.length)
      problems.push({ path: ['to', 'dc'], message: 'to.dc needs nodes: [{addr, dc}] to know which node is in which data center' });
    const addrProblem = (a: string): string | undefined => {
      const e = a.includes('${') ? undefined : parseHostPort(a);
      return e && 'problem' in e ? hostPortProblemText(a, e) : undefined;
    };
    (p.sentinels ?? []).forEach((a, i) => {
      const bad = addrProblem(a);
      if (bad) problems.push({ path: ['sentinels', i], message: bad });
    });
    const seenAddr = new Map<string, string>();
    (p.nodes ?? []).forEach((n, i) => {
      const bad = addrProblem(n.addr);
      if (bad) problems.push({ path: ['nodes', i, 'addr'], message: bad });
      const dc = seenAddr.get(n.addr);
      if (dc !== undefined) problems.push({ path: ['nodes', i, 'addr'], message: `node ${n.addr} is listed twice (in ${dc} and ${n.dc})` });
      seenAddr.set(n.addr, n.dc);
    });
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
  // an undo after a cut waits for Sentinel's own election to end before it decides anything
  settle: waitSentinelsQuiet,
  async rollback(p, change, ctx) {
    // Mastership goes back to the node that was master before (now a replica of the new one).
    if (change.desired.master === null) {
      throw stepError(
        `redis group ${change.desired.group}: no node answered ROLE master before the step (${describeFailover(change.desired, undefined)}): no master to move back to`,
        { retryable: false },
      );
    }
    await moveMaster(p, change.current, change.desired.master, ctx, true);
  },
  assess: assessFailover,
  describe: (_p, before, after) => describeFailover(before, after),
  outputs: (_p, s) => ({ master: s.master, masterDc: s.masterDc }),
  verifyIntervalMs: 100,
});
