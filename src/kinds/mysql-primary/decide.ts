import { HOLDS, notYet, stepError, type Decision, type Holds } from '../../model/kind.js';
import { countOf } from './gtid.js';
import { promoting, type MysqlMemberView, type MysqlPrimaryParams, type MysqlPrimaryState } from './params.js';

const where = (name: string | null, dc: string | null): string => (name ? `${name}${dc ? ` (${dc})` : ''}` : 'none');
const roles = (s: MysqlPrimaryState): string => s.members.map((m) => `${m.name} ${m.role}`).join(', ');

/** Transactions a replica holds, received or applied: the most caught-up candidate has the most. */
const rank = (m: MysqlMemberView): [number, number] => {
  if (!m.flavor || m.gtid === undefined) return [-1, -1];
  const applied = countOf(m.flavor, m.gtid);
  const received = m.replication?.received ? Math.max(applied, countOf(m.flavor, m.replication.received)) : applied;
  return [received, applied];
};

/** The member to promote: the named one, or (promote: true) the most caught-up replica in expectDcs. */
export function promoteTarget(p: MysqlPrimaryParams, s: MysqlPrimaryState): MysqlMemberView | undefined {
  if (!promoting(p)) return undefined;
  if (typeof p.promote === 'string' && p.promote !== 'true') {
    const m = s.members.find((x) => x.name === p.promote);
    if (!m)
      throw stepError(`mysql.primary: promote names "${p.promote}", which is not a member (${s.members.map((x) => x.name).join(', ')})`, {
        retryable: false,
      });
    if (!p.expectDcs.includes(m.dc))
      throw stepError(`mysql.primary: ${m.name} is in ${m.dc}, not in expectDcs (${p.expectDcs.join(', ')})`, { retryable: false });
    return m;
  }
  const candidates = s.members.filter((m) => m.role === 'replica' && p.expectDcs.includes(m.dc));
  return [...candidates].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return rb[0] - ra[0] || rb[1] - ra[1];
  })[0];
}

/** Answering members that do not replicate from `primary` (re-pointing them is part of the switch). */
export const strays = (s: MysqlPrimaryState, primary: string): MysqlMemberView[] =>
  s.members.filter((m) => m.name !== primary && m.role !== 'unreachable' && m.replication?.source !== primary);

/** Compare-and-set: the primary before the step must be the one the runbook names. */
export function checkExpectedPrimary(p: MysqlPrimaryParams, s: MysqlPrimaryState): void {
  if (p.expectedPrimary === undefined) return;
  const expected = s.members.find((m) => m.name === p.expectedPrimary);
  if (!expected) throw stepError(`mysql.primary: expectedPrimary "${p.expectedPrimary}" is not a member`, { retryable: false });
  if (s.primary === p.expectedPrimary) return;
  // a cut (nobody writable answers, the expected primary is the silent one), or a switch that fenced it and was interrupted
  if (s.writable.length === 0 && (expected.role === 'unreachable' || expected.role === 'read-only')) return;
  const now = s.writable.length > 0 ? s.writable.join(' and ') : `none (${roles(s)})`;
  throw stepError(
    `refusing to switch: the primary is ${now}, not ${p.expectedPrimary} as the runbook expects (expectedPrimary): someone else switched, or the runbook is stale`,
    { retryable: false, unchanged: true },
  );
}

export function decideMysql(p: MysqlPrimaryParams, s: MysqlPrimaryState): Decision<MysqlPrimaryState> {
  const inDcs = s.members.filter((m) => m.role === 'primary' && p.expectDcs.includes(m.dc));
  const desired = (primary: MysqlMemberView | undefined, followers: readonly string[]): Decision<MysqlPrimaryState> => ({
    action: 'change',
    desired: {
      primary: primary?.name ?? null,
      primaryDc: primary?.dc ?? null,
      writable: [],
      members: [],
      lag: {},
      wantDcs: [...p.expectDcs],
      followers,
    },
  });
  const others = (name: string): string[] => s.members.filter((m) => m.name !== name && m.role !== 'unreachable').map((m) => m.name);
  if (inDcs.length === 1 && s.writable.length === 1) {
    const primary = inDcs[0] as MysqlMemberView;
    // promote mode owns the replication topology: a member not following the primary is re-pointed
    if (!promoting(p) || strays(s, primary.name).length === 0)
      return { action: 'noop', reason: `primary already ${where(primary.name, primary.dc)}` };
    return desired(primary, others(primary.name));
  }
  if (s.writable.length > 1) {
    // split brain (a thawed old primary): keep the one in expectDcs, fence the others
    if (inDcs.length === 1 && promoting(p)) return desired(inDcs[0], others(inDcs[0]?.name ?? ''));
    throw stepError(
      `mysql: ${s.writable.length} writable primaries (${s.writable.join(', ')}): fence all but one by hand (SET GLOBAL read_only = 1)`,
      { retryable: false },
    );
  }
  checkExpectedPrimary(p, s);
  if (!promoting(p)) return desired(undefined, []);
  const target = promoteTarget(p, s);
  if (!target) throw stepError(`mysql.primary: no replica in ${p.expectDcs.join(', ')} to promote (${roles(s)})`, { retryable: false });
  return desired(target, others(target.name));
}

/**
 * Never two writable primaries; exactly one, the desired member (or one in wantDcs), with every
 * follower replicating from it, both threads running. A silent member cannot be checked: tolerated.
 */
export function holdsMysql(desired: MysqlPrimaryState, s: MysqlPrimaryState, want: string | null = desired.primary): Holds {
  if (s.writable.length > 1) return notYet(`${s.writable.length} writable primaries (${s.writable.join(', ')}), want exactly one`);
  if (s.writable.length === 0) return notYet(`no writable primary yet (${roles(s)})`);
  if (want !== null && s.primary !== want) {
    const wanted = s.members.find((m) => m.name === want);
    return notYet(`primary is ${where(s.primary, s.primaryDc)}, want ${where(want, wanted?.dc ?? null)}`);
  }
  if (desired.wantDcs && !desired.wantDcs.includes(s.primaryDc ?? '')) {
    return notYet(`primary is ${where(s.primary, s.primaryDc)}, want one in ${desired.wantDcs.join(', ')}`);
  }
  for (const name of desired.followers ?? followersOf(desired)) {
    const m = s.members.find((x) => x.name === name);
    if (!m || m.role === 'unreachable') continue;
    const r = m.replication;
    if (r?.source !== s.primary) return notYet(`${name} replicates from ${r?.source ?? 'nothing'}, want ${s.primary ?? '?'}`);
    if (r.io !== 'Yes' || r.sql !== 'Yes') {
      const errors = [r.ioError, r.sqlError].filter(Boolean).join('; ');
      return notYet(`${name}: replication IO ${r.io}, SQL ${r.sql}${errors ? ` (${errors})` : ''}`);
    }
  }
  return HOLDS;
}

/** In a state observed before the step: the members that replicated from its primary with both threads running. */
export const followersOf = (s: MysqlPrimaryState): string[] =>
  s.members
    .filter((m) => m.replication?.source === s.primary && m.replication.io === 'Yes' && m.replication.sql === 'Yes')
    .map((m) => m.name);

/**
 * The member to fail back to: the primary observed before; or, when none was writable (a cut data
 * center), the only member that was not a replica (it was the primary the cut took away).
 */
export function formerPrimary(before: MysqlPrimaryState): string | null {
  if (before.primary !== null) return before.primary;
  const others = before.members.filter((m) => m.role !== 'replica');
  return others.length === 1 ? (others[0]?.name ?? null) : null;
}

export function describeMysql(before: MysqlPrimaryState, after: MysqlPrimaryState | undefined): string {
  const lag = Object.entries(before.lag)
    .map(([n, l]) => `${n} ${l === null ? 'lag unknown' : `${l} transactions behind`}`)
    .join(', ');
  const head = `mysql primary ${before.writable.length > 1 ? before.writable.join('+') : where(before.primary, before.primaryDc)}${lag ? ` (${lag})` : ''}`;
  if (!after) return head;
  const to = after.primary ? where(after.primary, after.primaryDc) : after.wantDcs ? `one in ${after.wantDcs.join('/')}` : 'none';
  return `${head} → ${to}`;
}
