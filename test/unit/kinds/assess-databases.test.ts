import { describe, expect, test } from 'vitest';
import { assessDb } from '../../../src/kinds/db-primary/assess.js';
import type { DbPrimaryParams, DbPrimaryState, MemberView } from '../../../src/kinds/db-primary/params.js';
import { assessMysql } from '../../../src/kinds/mysql-primary/assess.js';
import type { MysqlMemberView, MysqlPrimaryParams, MysqlPrimaryState } from '../../../src/kinds/mysql-primary/params.js';

// db.primary and mysql.primary what-ifs (pure): the member outside the lost data centers that can become
// primary, its lag now as the data lost, and the refusals the step itself would make.
const pg = (name: string, dc: string, role: MemberView['role'], detail?: string): MemberView => ({
  name,
  dc,
  role,
  lsn: '0/100',
  ...(detail ? { detail } : {}),
});
const pgState = (lag: number | null, ...members: MemberView[]): DbPrimaryState => {
  const primaries = members.filter((m) => m.role === 'primary');
  const one = primaries.length === 1 ? primaries[0] : undefined;
  return {
    primary: one?.name ?? null,
    primaryDc: one?.dc ?? null,
    primaries: primaries.map((m) => m.name),
    members,
    lagBytes: Object.fromEntries(members.filter((m) => m.role === 'standby').map((m) => [m.name, lag])),
  };
};
const PG: DbPrimaryParams = {
  expectDcs: ['sh-a'],
  promote: 'pg-sh-a',
  acceptDataLoss: true,
  members: [
    { name: 'pg-hz-a', dc: 'hz-a', port: 1, dataDir: '/d/hz-a' },
    { name: 'pg-sh-a', dc: 'sh-a', port: 2, dataDir: '/d/sh-a' },
  ],
};
const healthy = pgState(0, pg('pg-hz-a', 'hz-a', 'primary'), pg('pg-sh-a', 'sh-a', 'standby'));

describe('db.primary assess', () => {
  test('the primary lost: the standby outside the lost DCs can be promoted; its lag now is the data lost; nothing is left to fail over to', () => {
    const a = assessDb(PG, pgState(4096, pg('pg-hz-a', 'hz-a', 'primary'), pg('pg-sh-a', 'sh-a', 'standby')), ['hz-a', 'hz-b']);
    expect(a).toMatchObject({ verdict: 'ok', dataLoss: { amount: 4096, unit: 'bytes', what: "pg-sh-a's replay lag now" } });
    expect(a.reason).toBe('the primary pg-hz-a (hz-a) is lost: pg-sh-a (sh-a) can be promoted, losing its replay lag now: 4096 B');
    expect(a.leaves).toEqual([{ risk: 'data', text: 'postgres: no standby left for pg-sh-a (pg-hz-a (hz-a) lost)' }]);
  });

  test('without acceptDataLoss the step refuses a promotion without its primary: a failure naming why', () => {
    const a = assessDb({ ...PG, acceptDataLoss: false }, healthy, ['hz-a']);
    expect(a.verdict).toBe('fail');
    expect(a.reason).toContain('refuses without acceptDataLoss');
  });

  test('a frozen or stopped standby cannot become primary: a failure naming it', () => {
    const frozen = pgState(null, pg('pg-hz-a', 'hz-a', 'primary'), pg('pg-sh-a', 'sh-a', 'unreachable', 'timeout expired'));
    expect(assessDb(PG, frozen, ['hz-a'])).toMatchObject({
      verdict: 'fail',
      reason: 'the standby to promote, pg-sh-a (sh-a), cannot become primary: unreachable now (timeout expired)',
    });
    const stopped = pgState(null, pg('pg-hz-a', 'hz-a', 'primary'), pg('pg-sh-a', 'sh-a', 'stopped', 'cluster shut down'));
    expect(assessDb(PG, stopped, ['hz-b'])).toMatchObject({
      verdict: 'fail',
      reason: 'the standby to promote, pg-sh-a (sh-a), cannot become primary: stopped now (cluster shut down)',
    });
  });

  test('the standby lost with the primary: no member can become primary', () => {
    expect(assessDb(PG, healthy, ['hz-a', 'sh-a'])).toMatchObject({
      verdict: 'fail',
      reason: 'the standby to promote, pg-sh-a (sh-a), is lost',
    });
    expect(assessDb({ ...PG, promote: true }, healthy, ['hz-a', 'sh-a']).reason).toMatch(
      /^no standby outside hz-a, sh-a in sh-a can become primary/,
    );
  });

  test('the primary survives: a planned switchover (fenced first, no data lost); a primary already in place needs nothing but leaves a risk when its standby is lost', () => {
    expect(assessDb(PG, healthy, ['hz-b'])).toMatchObject({ verdict: 'ok', reason: expect.stringContaining('planned switchover') });
    expect(assessDb(PG, healthy, ['hz-b']).dataLoss).toBeUndefined();
    const home = { ...PG, expectDcs: ['hz-a'], promote: undefined };
    expect(assessDb(home, healthy, ['sh-a'])).toEqual({
      verdict: 'ok',
      reason: 'primary pg-hz-a (hz-a) is outside sh-a: nothing to switch',
      leaves: [{ risk: 'data', text: 'postgres: no standby left for pg-hz-a (pg-sh-a (sh-a) lost)' }],
    });
    expect(assessDb(home, healthy, ['sz-a']).leaves).toEqual([]);
  });
});

const my = (name: string, dc: string, role: MysqlMemberView['role'], io = 'Yes'): MysqlMemberView => ({
  name,
  dc,
  role,
  flavor: 'mariadb',
  gtid: '0-1-10',
  ...(role === 'replica' ? { replication: { source: 'm-hz-a', io, sql: 'Yes', secondsBehind: 0 } } : {}),
});
const myState = (lag: number | null, ...members: MysqlMemberView[]): MysqlPrimaryState => {
  const writable = members.filter((m) => m.role === 'primary');
  return {
    primary: writable.length === 1 ? (writable[0]?.name ?? null) : null,
    primaryDc: writable[0]?.dc ?? null,
    writable: writable.map((m) => m.name),
    members,
    lag: Object.fromEntries(members.filter((m) => m.role === 'replica').map((m) => [m.name, lag])),
  };
};
const MY: MysqlPrimaryParams = {
  expectDcs: ['sh-a'],
  promote: 'm-sh-a',
  expectedPrimary: 'm-hz-a',
  acceptDataLoss: true,
  maxLagTransactions: 100,
  replication: { user: 'repl' },
  members: [
    { name: 'm-hz-a', dc: 'hz-a' },
    { name: 'm-sh-a', dc: 'sh-a' },
  ],
};

describe('mysql.primary assess', () => {
  test('the primary lost: the replica is promoted, losing its lag now in transactions', () => {
    const a = assessMysql(MY, myState(3, my('m-hz-a', 'hz-a', 'primary'), my('m-sh-a', 'sh-a', 'replica')), ['hz-a']);
    expect(a).toMatchObject({ verdict: 'ok', dataLoss: { amount: 3, unit: 'transactions' } });
    expect(
      assessMysql({ ...MY, acceptDataLoss: false }, myState(0, my('m-hz-a', 'hz-a', 'primary'), my('m-sh-a', 'sh-a', 'replica')), ['hz-a'])
        .verdict,
    ).toBe('fail');
  });

  test('a planned switch the step would refuse is a failure: replication stopped, over the lag ceiling, another primary than expected', () => {
    const stopped = myState(0, my('m-hz-a', 'hz-a', 'primary'), my('m-sh-a', 'sh-a', 'replica', 'No'));
    expect(assessMysql({ ...MY, acceptDataLoss: false }, stopped, ['hz-b'])).toMatchObject({
      verdict: 'fail',
      reason: "m-sh-a (sh-a)'s replication is not running (IO No, SQL Yes): the step would refuse to promote it",
    });
    expect(assessMysql(MY, myState(500, my('m-hz-a', 'hz-a', 'primary'), my('m-sh-a', 'sh-a', 'replica')), ['hz-b']).reason).toContain(
      'over maxLagTransactions 100',
    );
    const moved = myState(0, my('m-x', 'sz-a', 'primary'), my('m-sh-a', 'sh-a', 'replica'));
    expect(assessMysql(MY, moved, ['hz-b']).reason).toContain('not m-hz-a as the runbook expects');
  });

  test('an unreachable replica cannot be promoted; two writable members are a split brain', () => {
    expect(assessMysql(MY, myState(null, my('m-hz-a', 'hz-a', 'primary'), my('m-sh-a', 'sh-a', 'unreachable')), ['hz-a']).reason).toMatch(
      /^the replica to promote, m-sh-a \(sh-a\), cannot become primary: unreachable now/,
    );
    expect(assessMysql(MY, myState(0, my('m-hz-a', 'hz-a', 'primary'), my('m-sh-a', 'sh-a', 'primary')), ['hz-a']).reason).toMatch(
      /split brain/,
    );
  });
});
