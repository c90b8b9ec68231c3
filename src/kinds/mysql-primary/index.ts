import { assessMysql } from './assess.js';
import { badDurations } from '../duration-params.js';
import { defineKind } from '../define-kind.js';
import { stepError, type ParamProblem } from '../../model/kind.js';
import { loadMysql } from './client.js';
import { promoteWithoutPrimary } from './cut.js';
import { checkExpectedPrimary, decideMysql, describeMysql, formerPrimary, holdsMysql } from './decide.js';
import { awaitElection, watchElection } from './election-watch.js';
import { failBack, repair } from './failback.js';
import { observeMysql } from './observe.js';
import { mysqlPrimarySchema, promoting, type MysqlPrimaryParams, type MysqlPrimaryState } from './params.js';
import { plannedSwitch } from './switchover.js';
import { fenceWhenAnswering, withLateAnswers } from './late.js';

export type { MysqlPrimaryParams, MysqlPrimaryState } from './params.js';

/**
 * The planned switch needs an old primary that answers: the writable one, or (a switch interrupted
 * after its fence) a read-only member the candidate replicates from. Without one, a cut.
 */
function sourceOf(s: MysqlPrimaryState, target: string): string | undefined {
  if (s.primary !== null && s.primary !== target) return s.primary;
  const source = s.members.find((m) => m.name === target)?.replication?.source;
  return s.members.find((m) => m.name === source && m.role === 'read-only')?.name;
}

export const mysqlPrimaryKind = defineKind<MysqlPrimaryParams, MysqlPrimaryState>({
  name: 'mysql.primary',
  description:
    'MySQL/MariaDB primary switch: fence the old primary, wait for GTID catch-up, promote, re-point (or wait for orchestrator/MHA); never two writable primaries.',
  paramsSchema: mysqlPrimarySchema,
  outputNames: ['primary', 'primaryDc'],
  preload: loadMysql,
  check(p) {
    const problems: ParamProblem[] = [];
    const names = new Set<string>();
    p.members.forEach((m, i) => {
      if (names.has(m.name)) problems.push({ path: ['members', i, 'name'], message: `duplicate member name "${m.name}"` });
      names.add(m.name);
    });
    problems.push(
      ...badDurations([
        ['lagWait', p.lagWait],
        ['connectTimeout', p.connectTimeout],
      ]),
    );
    const named = (v: string | boolean | undefined): v is string =>
      typeof v === 'string' && v !== 'true' && v !== 'false' && !v.includes('${');
    if (named(p.promote) && !names.has(p.promote))
      problems.push({ path: ['promote'], message: `"${p.promote}" is not a member (${[...names].join(', ')})` });
    if (named(p.expectedPrimary) && !names.has(p.expectedPrimary))
      problems.push({ path: ['expectedPrimary'], message: `"${p.expectedPrimary}" is not a member (${[...names].join(', ')})` });
    if (promoting(p) && p.replication === undefined) {
      problems.push({
        path: [],
        message: 'promote needs replication: {user, password} (the account the old primary and the other replicas follow the new one with)',
      });
    }
    return problems;
  },
  async observe(p, ctx) {
    const s = await observeMysql(p, ctx);
    watchElection(p, s, ctx);
    return s;
  },
  decide: decideMysql,
  async apply(p, change, ctx) {
    const target = change.desired.primary;
    // a lost member that answered after the survivors is not dead: a live old primary is fenced first
    const s = withLateAnswers(change.current, ctx);
    if (target === null) {
      // no promotion asked: orchestrator or MHA elects; verify waits for a writable primary in expectDcs
      ctx.progress(`waiting for the estate to elect a primary in ${p.expectDcs.join(', ')}`);
      awaitElection(ctx);
      return;
    }
    if (s.writable.includes(target)) return repair(p, s, target, ctx); // a split brain, or members not following it
    checkExpectedPrimary(p, s);
    const tv = s.members.find((m) => m.name === target);
    if (tv?.role === 'unreachable')
      throw stepError(`refusing to promote ${target}: it does not answer (${tv.detail ?? ''})`, { unchanged: true });
    const from = sourceOf(s, target);
    await (from !== undefined ? plannedSwitch(p, s, from, target, ctx) : promoteWithoutPrimary(p, s, target, ctx));
    fenceWhenAnswering(p, target, from === undefined ? [] : [from], ctx);
  },
  holds: (_p, desired, current) => holdsMysql(desired, current, desired.wantDcs ? desired.primary : formerPrimary(desired)),
  async rollback(p, change, ctx) {
    const want = formerPrimary(change.desired);
    if (want === null) return; // no single member was (or could have been) primary before: nothing to go back to
    await failBack(p, change.current, want, ctx);
  },
  reversible: (p) => p.replication !== undefined,
  assess: assessMysql,
  describe: (_p, before, after) => describeMysql(before, after),
  outputs: (_p, s) => ({ primary: s.primary, primaryDc: s.primaryDc }),
  verifyIntervalMs: 50,
});
