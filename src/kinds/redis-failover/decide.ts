import { HOLDS, notYet, stepError, type Decision, type Holds } from '../../model/kind.js';
import { targetOf, type NodeView, type RedisFailoverParams, type RedisFailoverState } from './params.js';

const show = (addr: string | null, dc: string | null): string => `${addr ?? 'none'}${dc ? ` (${dc})` : ''}`;

/** The node that should become master: to.addr, or the best replica (link up, most data) in to.dc. */
export function pickTarget(p: RedisFailoverParams, s: RedisFailoverState): NodeView {
  const to = targetOf(p);
  if ('addr' in to) {
    const addr = to.addr;
    const n = s.nodes.find((x) => x.addr === addr);
    if (!n)
      throw stepError(`redis ${addr}: not a node of group ${s.group} (known: ${s.nodes.map((x) => x.addr).join(', ')})`, {
        retryable: false,
      });
    return n;
  }
  const dc = to.dc;
  const inDc = s.nodes.filter((x) => x.dc === dc);
  if (inDc.length === 0) {
    throw stepError(
      `redis group ${s.group}: no node in data center ${dc} (give nodes: [{addr, dc}]; known: ${s.nodes.map((x) => `${x.addr}=${x.dc ?? '?'}`).join(', ')})`,
      { retryable: false },
    );
  }
  const rank = (n: NodeView): number =>
    n.role === 'master' ? 3 : n.role === 'replica' && n.link === 'connected' ? 2 : n.role === 'replica' ? 1 : 0;
  return [...inDc].sort((a, b) => rank(b) - rank(a) || (b.offset ?? 0) - (a.offset ?? 0))[0] as NodeView;
}

/**
 * Direct mode moves mastership only along a replication link, or it would make the group copy the
 * wrong data set: refuse a split (two nodes answer master), and a target that is not a replica of the
 * group's master (a standalone node, a replica of another server). The group's master is the one
 * reachable master, or, when it is unreachable (a cut), the master the reachable replicas follow.
 */
export function assertDirectPromotable(s: RedisFailoverState, target: NodeView): void {
  const masters = s.nodes.filter((n) => n.role === 'master');
  if (masters.length > 1) {
    throw stepError(
      `redis group ${s.group}: ${masters.length} nodes answer ROLE master (${masters.map((n) => n.addr).join(', ')}), want one: a split; drctl will not pick which data set survives (resolve it by hand)`,
      { retryable: false },
    );
  }
  if (target.role === 'master') return;
  const groupMaster = masters[0]?.addr ?? mostFollowed(s.nodes);
  if (target.role !== 'replica' || target.masterAddr !== groupMaster) {
    throw stepError(
      `redis ${target.addr}: ROLE is ${roleText(target)}, want a replica of the group's master ${groupMaster ?? '(none found)'} to promote`,
      { retryable: false },
    );
  }
}

/** The master most reachable replicas follow (undefined when none replicates). */
function mostFollowed(nodes: readonly NodeView[]): string | undefined {
  const counts = new Map<string, number>();
  for (const n of nodes) if (n.role === 'replica' && n.masterAddr) counts.set(n.masterAddr, (counts.get(n.masterAddr) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function decideFailover(p: RedisFailoverParams, s: RedisFailoverState): Decision<RedisFailoverState> {
  const target = pickTarget(p, s);
  const to = targetOf(p);
  const inPlace = 'dc' in to ? s.masterDc === to.dc : s.master === target.addr;
  if (inPlace && holdsFailover({ ...s, master: s.master }, s).ok) {
    return { action: 'noop', reason: `master already ${show(s.master, s.masterDc)}` };
  }
  if (s.mode === 'direct') assertDirectPromotable(s, target);
  if (inPlace) return { action: 'change', desired: { ...s, nodes: [] } };
  return {
    action: 'change',
    desired: { group: s.group, mode: s.mode, master: target.addr, masterDc: target.dc, sentinels: {}, nodes: [] },
  };
}

/**
 * desired.master is the master for every answering sentinel, has ROLE master, and every other reachable
 * node replicates from it with its link up. Unreachable nodes (a cut data center) are tolerated.
 */
export function holdsFailover(desired: Pick<RedisFailoverState, 'master'>, s: RedisFailoverState): Holds {
  const want = desired.master;
  if (want === null) return notYet('no master wanted');
  if (s.master !== want) return notYet(`master is ${show(s.master, s.masterDc)}, want ${want}`);
  for (const [addr, view] of Object.entries(s.sentinels)) {
    if (!view.startsWith('unreachable') && view !== want) return notYet(`sentinel ${addr} reports master ${view}, want ${want}`);
  }
  const m = s.nodes.find((n) => n.addr === want);
  if (m && m.role !== 'master') return notYet(`redis ${want}: ROLE is ${roleText(m)}, want master`);
  for (const n of s.nodes) {
    if (n.addr === want || n.role === 'unreachable') continue;
    if (n.role !== 'replica' || n.masterAddr !== want || n.link !== 'connected') {
      return notYet(`redis ${n.addr}: ROLE is ${roleText(n)}, want replica of ${want} with link up`);
    }
  }
  return HOLDS;
}

export function roleText(n: NodeView): string {
  if (n.role === 'replica') return `slave of ${n.masterAddr ?? '?'} (link ${n.link ?? '?'})`;
  if (n.role === 'unreachable') return `unknown (${n.detail ?? 'unreachable'})`;
  return n.role;
}

export function describeFailover(before: RedisFailoverState, after: RedisFailoverState | undefined): string {
  const from = show(before.master, before.masterDc);
  if (!after || after.master === before.master) {
    const cut = before.nodes.filter((n) => n.role === 'unreachable').map((n) => n.addr);
    return `redis ${before.group}: master ${from}${cut.length ? `, unreachable: ${cut.join(', ')}` : ''}`;
  }
  return `redis ${before.group}: master ${from} → ${show(after.master, after.masterDc)}`;
}
