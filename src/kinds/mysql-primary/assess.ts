import { assessFail, assessOk, listText, placed, type Residual, type StepAssessment } from '../../model/assess.js';
import { isTrue, promoting, type MysqlMemberView, type MysqlPrimaryParams, type MysqlPrimaryState } from './params.js';

const who = (m: MysqlMemberView): string => placed(m.name, m.dc);
const threads = (m: MysqlMemberView): string => (m.replication ? `IO ${m.replication.io}, SQL ${m.replication.sql}` : 'no replication');
const running = (m: MysqlMemberView): boolean => m.replication?.io === 'Yes' && m.replication.sql === 'Yes';

/** After the step, members left to fail over to: replicas (and a fenced old primary that is re-pointed) outside the lost DCs. */
function leaves(s: MysqlPrimaryState, primary: string, lost: readonly string[]): Residual[] {
  const left = s.members.filter((m) => m.name !== primary && !lost.includes(m.dc) && m.role !== 'unreachable');
  if (left.length > 0) return [];
  const gone = s.members
    .filter((m) => m.name !== primary)
    .map((m) => (lost.includes(m.dc) ? `${who(m)} lost` : `${who(m)} unreachable now`));
  return [{ risk: 'data', text: `mysql: no replica left for ${primary} (${listText(gone)})` }];
}

function candidate(p: MysqlPrimaryParams, s: MysqlPrimaryState, lost: readonly string[]): MysqlMemberView | string {
  if (typeof p.promote === 'string' && p.promote !== 'true') {
    const m = s.members.find((x) => x.name === p.promote);
    if (!m) return `promote names "${p.promote}", which is not a member`;
    if (lost.includes(m.dc)) return `the replica to promote, ${who(m)}, is lost`;
    if (m.role !== 'replica')
      return `the replica to promote, ${who(m)}, cannot become primary: ${m.role === 'unreachable' ? `unreachable now (${m.detail ?? 'no answer'})` : `it is ${m.role}`}`;
    return m;
  }
  const ranked = s.members
    .filter((m) => m.role === 'replica' && p.expectDcs.includes(m.dc) && !lost.includes(m.dc))
    .sort((a, b) => (s.lag[a.name] ?? Infinity) - (s.lag[b.name] ?? Infinity));
  return (
    ranked[0] ??
    `no replica outside ${listText(lost)} in ${listText(p.expectDcs)} can become primary (${s.members.map((m) => `${m.name} ${lost.includes(m.dc) ? 'lost' : m.role}`).join(', ')})`
  );
}

/**
 * mysql.primary what-if: like db.primary, with the lag in transactions (GTIDs). The planned switch needs
 * the candidate replicating from the primary with both threads running and within maxLagTransactions;
 * without a primary the step refuses unless acceptDataLoss, and the candidate's lag now is what is lost.
 */
export function assessMysql(p: MysqlPrimaryParams, s: MysqlPrimaryState, lost: readonly string[]): StepAssessment {
  const primary = s.primary === null ? undefined : s.members.find((m) => m.name === s.primary);
  const primaryLost = primary === undefined || lost.includes(primary.dc);
  if (s.writable.length > 1)
    return assessFail(`${s.writable.length} writable primaries now (${s.writable.join(', ')}): a split brain to resolve first`);
  if (primary && !primaryLost && p.expectDcs.includes(primary.dc)) {
    return assessOk(`primary ${who(primary)} is outside ${listText(lost)}: nothing to switch`, { leaves: leaves(s, primary.name, lost) });
  }
  if (p.expectedPrimary !== undefined && primary && primary.name !== p.expectedPrimary) {
    return assessFail(
      `the primary is ${who(primary)}, not ${p.expectedPrimary} as the runbook expects (expectedPrimary): the step would refuse`,
    );
  }
  const target = candidate(p, s, lost);
  if (typeof target === 'string') return assessFail(target);
  const lag = s.lag[target.name] ?? null;
  const lagText = lag === null ? 'unknown (no primary answers now)' : `${lag} transaction${lag === 1 ? '' : 's'}`;
  const after = { leaves: leaves(s, target.name, lost) };
  if (!promoting(p)) {
    return assessOk(
      `orchestrator/MHA must elect a primary in ${listText(p.expectDcs)} (promote is not set): ${who(target)} is a replica there (lag now ${lagText})`,
      after,
    );
  }
  if (!primaryLost) {
    if (target.replication?.source !== primary.name)
      return assessFail(
        `${who(target)} replicates from ${target.replication?.source ?? 'nothing'}, not from ${primary.name}: the step would refuse to promote it`,
        after,
      );
    if (!running(target) && !isTrue(p.acceptDataLoss))
      return assessFail(`${who(target)}'s replication is not running (${threads(target)}): the step would refuse to promote it`, after);
    if (p.maxLagTransactions !== undefined && lag !== null && lag > p.maxLagTransactions) {
      return assessFail(
        `${who(target)} is ${lagText} behind, over maxLagTransactions ${p.maxLagTransactions}: the step would refuse`,
        after,
      );
    }
    return assessOk(`${who(target)} can be promoted: planned switch from ${who(primary)}, fenced first (lag now ${lagText})`, after);
  }
  const gone = primary
    ? `the primary ${who(primary)} is lost`
    : `no primary answers now (${s.members.map((m) => `${m.name} ${m.role}`).join(', ')})`;
  if (!isTrue(p.acceptDataLoss)) {
    return assessFail(
      `${gone}: the step refuses to promote ${who(target)} without acceptDataLoss (what it has not received cannot be known; set it in the scenario's params)`,
      after,
    );
  }
  return assessOk(`${gone}: ${who(target)} can be promoted, losing its lag now: ${lagText}`, {
    ...after,
    dataLoss: { amount: lag, unit: 'transactions', what: `${target.name}'s lag now` },
  });
}
