import { HOLDS, notYet, stepError, type Decision, type Holds } from '../../model/kind.js';
import type { DbPrimaryParams, DbPrimaryState, MemberView } from './params.js';

const where = (name: string | null, dc: string | null): string => (name ? `${name}${dc ? ` (${dc})` : ''}` : 'none');

/** The standby to promote: the named one, or (promote: true) the most caught-up standby in expectDcs. */
export function promoteTarget(p: DbPrimaryParams, s: DbPrimaryState): MemberView | undefined {
  if (p.promote === undefined || p.promote === false || p.promote === 'false') return undefined;
  if (typeof p.promote === 'string' && p.promote !== 'true') {
    const m = s.members.find((x) => x.name === p.promote);
    if (!m)
      throw stepError(`db.primary: promote names "${p.promote}", which is not a member (${s.members.map((x) => x.name).join(', ')})`, {
        retryable: false,
      });
    if (!p.expectDcs.includes(m.dc))
      throw stepError(`db.primary: ${m.name} is in ${m.dc}, not in expectDcs (${p.expectDcs.join(', ')})`, { retryable: false });
    return m;
  }
  const candidates = s.members.filter((m) => m.role === 'standby' && p.expectDcs.includes(m.dc));
  return [...candidates].sort((a, b) => (s.lagBytes[a.name] ?? Infinity) - (s.lagBytes[b.name] ?? Infinity))[0];
}

export function decideDb(p: DbPrimaryParams, s: DbPrimaryState): Decision<DbPrimaryState> {
  if (s.primary !== null && s.primaryDc !== null && p.expectDcs.includes(s.primaryDc)) {
    return { action: 'noop', reason: `primary already ${where(s.primary, s.primaryDc)}` };
  }
  const target = promoteTarget(p, s);
  if (!target && p.promote !== undefined && p.promote !== false && p.promote !== 'false') {
    throw stepError(
      `db.primary: no standby in ${p.expectDcs.join(', ')} to promote (${s.members.map((m) => `${m.name} ${m.role}`).join(', ')})`,
      { retryable: false },
    );
  }
  return {
    action: 'change',
    desired: {
      primary: target?.name ?? null,
      primaryDc: target?.dc ?? null,
      primaries: [],
      members: [],
      lagBytes: {},
      wantDcs: [...p.expectDcs],
    },
  };
}

/** Exactly one primary; the desired member when one is named; in wantDcs when the desired state has them. */
export function holdsDb(desired: DbPrimaryState, s: DbPrimaryState): Holds {
  if (s.primaries.length === 0) return notYet(`no primary yet (${s.members.map((m) => `${m.name} ${m.role}`).join(', ')})`);
  if (s.primaries.length > 1) return notYet(`${s.primaries.length} primaries (${s.primaries.join(', ')}), want exactly one`);
  if (desired.primary !== null && s.primary !== desired.primary) {
    return notYet(`primary is ${where(s.primary, s.primaryDc)}, want ${where(desired.primary, desired.primaryDc)}`);
  }
  if (desired.wantDcs && !desired.wantDcs.includes(s.primaryDc ?? '')) {
    return notYet(`primary is ${where(s.primary, s.primaryDc)}, want one in ${desired.wantDcs.join(', ')}`);
  }
  return HOLDS;
}

export function describeDb(before: DbPrimaryState, after: DbPrimaryState | undefined): string {
  const lag = Object.entries(before.lagBytes)
    .map(([n, l]) => `${n} lag ${l === null ? 'unknown' : `${l} B`}`)
    .join(', ');
  const head = `postgres primary ${where(before.primary, before.primaryDc)}${lag ? ` (${lag})` : ''}`;
  if (!after) return head;
  const to = after.primary ?? (after.wantDcs ? `one in ${after.wantDcs.join('/')}` : 'none');
  return `${head} → ${after.primary ? where(after.primary, after.primaryDc) : to}`;
}
