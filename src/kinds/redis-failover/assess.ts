import { assessFail, assessOk, assessUnknown, listText, placed, type Residual, type StepAssessment } from '../../model/assess.js';
import { UNREACHABLE } from './observe.js';
import { targetOf, type NodeView, type RedisFailoverParams, type RedisFailoverState } from './params.js';

const who = (n: NodeView): string => placed(n.addr, n.dc);
const state = (n: NodeView): string =>
  n.role === 'replica'
    ? `replica, link ${n.link ?? '?'}`
    : n.role === 'unreachable'
      ? `unreachable now (${n.detail ?? 'no answer'})`
      : n.role;

interface SentinelCount {
  readonly total: number;
  /** Sentinels it takes to elect: a majority of all, and at least the quorum. */
  readonly need: number;
  readonly quorum: number;
  /** Answering now and outside the lost DCs (those of unknown data center counted apart). */
  readonly alive: readonly string[];
  readonly unknownDc: readonly string[];
  readonly down: readonly string[];
}

function countSentinels(p: RedisFailoverParams, s: RedisFailoverState, lost: readonly string[]): SentinelCount {
  const all = p.sentinels ?? [];
  const majority = Math.floor(all.length / 2) + 1;
  const quorum = s.quorum ?? majority;
  const answering = all.filter((a) => s.sentinels[a] !== undefined && !s.sentinels[a]?.startsWith(UNREACHABLE));
  const dcOf = (a: string): string | undefined => p.dcs?.[a];
  return {
    total: all.length,
    need: Math.max(majority, quorum),
    quorum,
    alive: answering.filter((a) => dcOf(a) !== undefined && !lost.includes(dcOf(a) ?? '')),
    unknownDc: answering.filter((a) => dcOf(a) === undefined),
    down: all
      .filter((a) => !answering.includes(a))
      .map((a) => `${placed(a, dcOf(a))} does not answer now`)
      .concat(answering.filter((a) => lost.includes(dcOf(a) ?? '')).map((a) => `${placed(a, dcOf(a))} lost`)),
  };
}

const sentinelText = (c: SentinelCount): string =>
  `${c.alive.length} of ${c.total} sentinels left (it takes ${c.need}: quorum ${c.quorum}, majority ${Math.floor(c.total / 2) + 1})${c.down.length > 0 ? `: ${c.down.join('; ')}` : ''}`;

/** What is left to fail over to next time: replicas outside the lost DCs, and a sentinel majority. */
function leaves(
  p: RedisFailoverParams,
  s: RedisFailoverState,
  master: string,
  lost: readonly string[],
  c: SentinelCount | undefined,
): Residual[] {
  const out: Residual[] = [];
  const replicas = s.nodes.filter((n) => n.addr !== master && n.role === 'replica' && !lost.includes(n.dc ?? ''));
  if (replicas.length === 0)
    out.push({
      risk: 'failover',
      text: `redis ${s.group}: no replica left for ${placed(master, s.nodes.find((n) => n.addr === master)?.dc)}`,
    });
  if (c && c.alive.length + c.unknownDc.length < c.need)
    out.push({
      risk: 'failover',
      text: `Sentinel: ${c.alive.length + c.unknownDc.length} of ${c.total} sentinels left, it takes ${c.need} to elect: no automatic failover`,
    });
  return out;
}

/**
 * redis.failover what-if: when the master is lost (or does not answer now), a replica in the target data
 * center outside the lost ones with its link up, and a Sentinel majority outside them (it takes one to
 * elect); a planned move needs the target replica and one sentinel. Otherwise a failure.
 */
export function assessFailover(p: RedisFailoverParams, s: RedisFailoverState, lost: readonly string[]): StepAssessment {
  const isLost = (dc: string | null): boolean => dc !== null && lost.includes(dc);
  const master = s.master === null ? undefined : s.nodes.find((n) => n.addr === s.master);
  const masterGone = master === undefined || master.role !== 'master' || isLost(master.dc);
  const to = targetOf(p);
  const c = s.mode === 'sentinel' ? countSentinels(p, s, lost) : undefined;
  const inPlace = master !== undefined && !masterGone && ('dc' in to ? master.dc === to.dc : master.addr === to.addr);
  if (inPlace)
    return assessOk(`master ${who(master)} is outside ${listText(lost)}: nothing to switch`, {
      leaves: leaves(p, s, master.addr, lost, c),
    });
  const wanted = 'dc' in to ? to.dc : to.addr;
  const candidates = s.nodes.filter((n) => ('dc' in to ? n.dc === to.dc : n.addr === to.addr));
  if ('dc' in to && lost.includes(to.dc)) return assessFail(`the step moves ${s.group}'s master to ${to.dc}, which is lost`);
  const target = candidates.find((n) => n.role === 'replica' && n.link === 'connected' && !isLost(n.dc));
  if (!target) {
    const seen = candidates.map((n) => (isLost(n.dc) ? `${who(n)} lost` : `${who(n)} ${state(n)}`));
    return assessFail(
      `redis ${s.group}: no replica in ${wanted} outside ${listText(lost)} with its link up to take over (${listText(seen)})`,
    );
  }
  const after = { leaves: leaves(p, s, target.addr, lost, c) };
  if (!c) return assessOk(`${who(target)} can be promoted directly (replica, link up)`, after);
  const electing = masterGone;
  const need = electing ? c.need : 1;
  const what = electing
    ? `the master ${master ? who(master) : (s.master ?? '(none)')} is ${master && isLost(master.dc) ? 'lost' : 'not answering now'}: Sentinel must elect`
    : 'a planned SENTINEL FAILOVER needs one sentinel';
  if (c.alive.length >= need) return assessOk(`${what}; ${who(target)} is a replica with its link up; ${sentinelText(c)}`, after);
  if (c.alive.length + c.unknownDc.length >= need) {
    return assessUnknown(
      `${what}, and it depends on where ${c.unknownDc.join(', ')} live${c.unknownDc.length === 1 ? 's' : ''}: give the step dcs: {sentinel address: data center}`,
      after,
    );
  }
  return assessFail(`${what}, and cannot: ${sentinelText(c)}`, after);
}
