import { assessFail, assessOk, listText, placed, type Residual, type StepAssessment } from '../../model/assess.js';
import { isTrue, type DbPrimaryParams, type DbPrimaryState, type MemberView } from './params.js';

const who = (m: MemberView): string => placed(m.name, m.dc);
const why = (m: MemberView): string =>
  m.role === 'stopped' ? `stopped now (${m.detail ?? 'cluster shut down'})` : `unreachable now (${m.detail ?? 'no answer'})`;

/** After the step, the members left to fail over to: standbys (and a fenced old primary that rejoins) outside the lost DCs. */
function leaves(s: DbPrimaryState, primary: string, lost: readonly string[]): Residual[] {
  const left = s.members.filter((m) => m.name !== primary && !lost.includes(m.dc) && (m.role === 'standby' || m.role === 'primary'));
  if (left.length > 0) return [];
  const gone = s.members.filter((m) => m.name !== primary).map((m) => (lost.includes(m.dc) ? `${who(m)} lost` : `${who(m)} ${m.role}`));
  return [{ risk: 'data', text: `postgres: no standby left for ${primary} (${listText(gone)})` }];
}

/** The member the step would make primary when the primary must move. */
function candidate(p: DbPrimaryParams, s: DbPrimaryState, lost: readonly string[]): MemberView | string {
  const inDcs = (m: MemberView): boolean => p.expectDcs.includes(m.dc) && !lost.includes(m.dc);
  if (typeof p.promote === 'string' && p.promote !== 'true' && p.promote !== 'false') {
    const m = s.members.find((x) => x.name === p.promote);
    if (!m) return `promote names "${p.promote}", which is not a member`;
    if (lost.includes(m.dc)) return `the standby to promote, ${who(m)}, is lost`;
    if (m.role !== 'standby')
      return `the standby to promote, ${who(m)}, cannot become primary: ${m.role === 'primary' ? 'it is a primary too' : why(m)}`;
    return m;
  }
  const standbys = s.members
    .filter((m) => m.role === 'standby' && inDcs(m))
    .sort((a, b) => (s.lagBytes[a.name] ?? Infinity) - (s.lagBytes[b.name] ?? Infinity));
  const best = standbys[0];
  if (best) return best;
  const others = s.members
    .filter((m) => p.expectDcs.includes(m.dc))
    .map((m) => (lost.includes(m.dc) ? `${who(m)} lost` : `${who(m)} ${m.role === 'standby' ? 'standby' : why(m)}`));
  return `no standby outside ${listText(lost)} in ${listText(p.expectDcs)} can become primary (${listText(others)})`;
}

/**
 * db.primary what-if: a member outside the lost DCs that can become primary; its replay lag now (the
 * RPO when the primary is among the lost); a promotion the step would refuse (the primary lost and no
 * acceptDataLoss: its lag cannot be proven then) is a failure.
 */
export function assessDb(p: DbPrimaryParams, s: DbPrimaryState, lost: readonly string[]): StepAssessment {
  const primary = s.primary === null ? undefined : s.members.find((m) => m.name === s.primary);
  const primaryLost = primary === undefined || lost.includes(primary.dc);
  if (primary && !primaryLost && p.expectDcs.includes(primary.dc)) {
    return assessOk(`primary ${who(primary)} is outside ${listText(lost)}: nothing to switch`, { leaves: leaves(s, primary.name, lost) });
  }
  const target = candidate(p, s, lost);
  if (typeof target === 'string') return assessFail(target);
  const lag = s.lagBytes[target.name] ?? null;
  const lagText = lag === null ? 'unknown (no primary answers now)' : `${lag} B`;
  const after = { leaves: leaves(s, target.name, lost) };
  const promoting = p.promote !== undefined && p.promote !== false && p.promote !== 'false';
  if (!promoting) {
    // no promotion asked: the database elects its own primary (Patroni...); the step waits for it
    const loss = primaryLost ? { dataLoss: { amount: lag, unit: 'bytes' as const, what: `${target.name}'s replay lag now` } } : {};
    return assessOk(
      `the database itself must elect a primary in ${listText(p.expectDcs)} (promote is not set): ${who(target)} is a standby there (lag now ${lagText})`,
      { ...after, ...loss },
    );
  }
  if (!primaryLost) {
    if (p.members.find((m) => m.name === primary.name)?.dataDir === undefined) {
      return assessFail(
        `${who(primary)} answers and has no dataDir: the step refuses to promote ${target.name} beside it (two primaries)`,
        after,
      );
    }
    return assessOk(
      `${who(target)} can be promoted: planned switchover from ${who(primary)}, which is fenced first (lag now ${lagText})`,
      after,
    );
  }
  const gone = primary
    ? `the primary ${who(primary)} is lost`
    : `no primary answers now (${s.members.map((m) => `${m.name} ${m.role}`).join(', ')})`;
  if (!isTrue(p.acceptDataLoss)) {
    return assessFail(
      `${gone}: promoting ${who(target)} cannot prove lag 0 then, and the step refuses without acceptDataLoss (set it in the scenario's params)`,
      after,
    );
  }
  return assessOk(`${gone}: ${who(target)} can be promoted, losing its replay lag now: ${lagText}`, {
    ...after,
    dataLoss: { amount: lag, unit: 'bytes', what: `${target.name}'s replay lag now` },
  });
}
