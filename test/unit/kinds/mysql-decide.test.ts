import { describe, expect, test } from 'vitest';
import { mysqlPrimaryKind as kind, type MysqlPrimaryParams, type MysqlPrimaryState } from '../../../src/kinds/mysql-primary/index.js';
import type { MysqlMemberView } from '../../../src/kinds/mysql-primary/params.js';
import { makeKindContext } from '../../helpers/kind-context.js';

const V = '10.11.19-MariaDB';
const primary = (name: string, dc: string, gtid = '0-1-10'): MysqlMemberView => ({
  name,
  dc,
  role: 'primary',
  flavor: 'mariadb',
  version: V,
  readOnly: false,
  gtid,
  logBin: true,
});
const replica = (name: string, dc: string, source: string, gtid = '0-1-10', received = gtid): MysqlMemberView => ({
  name,
  dc,
  role: 'replica',
  flavor: 'mariadb',
  version: V,
  readOnly: true,
  gtid,
  logBin: true,
  replication: { source, io: 'Yes', sql: 'Yes', secondsBehind: 0, received },
});
const silent = (name: string, dc: string): MysqlMemberView => ({
  name,
  dc,
  role: 'unreachable',
  detail: `${name}: unreachable (no answer within 300ms)`,
});
const state = (...members: MysqlMemberView[]): MysqlPrimaryState => {
  const writable = members.filter((m) => m.role === 'primary');
  return {
    primary: writable.length === 1 ? (writable[0]?.name ?? null) : null,
    primaryDc: writable.length === 1 ? (writable[0]?.dc ?? null) : null,
    writable: writable.map((m) => m.name),
    members,
    lag: {},
  };
};
const P: MysqlPrimaryParams = {
  members: [
    { name: 'a', dc: 'hz-a' },
    { name: 'b', dc: 'sh-a' },
    { name: 'c', dc: 'sz-a' },
  ],
  expectDcs: ['sh-a', 'sz-a'],
  promote: true,
  replication: { user: 'repl' },
};

describe('mysql.primary decide and verify (pure)', () => {
  test('promote: true picks the replica in expectDcs that received the most', () => {
    const s = state(primary('a', 'hz-a', '0-1-20'), replica('b', 'sh-a', 'a', '0-1-18'), replica('c', 'sz-a', 'a', '0-1-17', '0-1-20'));
    expect(kind.decide(P, s)).toMatchObject({ action: 'change', desired: { primary: 'c', primaryDc: 'sz-a', followers: ['a', 'b'] } });
  });

  test('expectedPrimary is a compare-and-set: another primary is refused (not retryable, nothing changed); a cut expected one is accepted', () => {
    const s = state(primary('c', 'sz-a'), replica('a', 'hz-a', 'c'), replica('b', 'sh-a', 'c'));
    const p = { ...P, expectDcs: ['sh-a'], promote: 'b', expectedPrimary: 'a' };
    let e: unknown;
    try {
      kind.decide(p, s);
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({
      retryable: false,
      unchanged: true,
      message:
        'refusing to switch: the primary is c, not a as the runbook expects (expectedPrimary): someone else switched, or the runbook is stale',
    });
    expect(kind.decide(p, state(silent('a', 'hz-a'), replica('b', 'sh-a', 'a'), replica('c', 'sz-a', 'a')))).toMatchObject({
      action: 'change',
      desired: { primary: 'b' },
    });
  });

  test('already done is a skip; a member not following the primary is re-pointed (promote mode only)', () => {
    const done = state(replica('a', 'hz-a', 'b'), primary('b', 'sh-a'), replica('c', 'sz-a', 'b'));
    expect(kind.decide(P, done)).toEqual({ action: 'noop', reason: 'primary already b (sh-a)' });
    const stray = state(replica('a', 'hz-a', 'c'), primary('b', 'sh-a'), replica('c', 'sz-a', 'b'));
    expect(kind.decide(P, stray)).toMatchObject({ action: 'change', desired: { primary: 'b', followers: ['a', 'c'] } });
    const { promote: _p, ...wait } = P;
    expect(kind.decide(wait, stray).action).toBe('noop');
  });

  test('two writable primaries: the one in expectDcs stays (the other is fenced); two in expectDcs is for a human', () => {
    const twins = state(primary('a', 'hz-a'), primary('b', 'sh-a'), replica('c', 'sz-a', 'b'));
    expect(kind.decide(P, twins)).toMatchObject({ action: 'change', desired: { primary: 'b' } });
    expect(() => kind.decide(P, state(primary('a', 'hz-a'), primary('b', 'sh-a'), primary('c', 'sz-a')))).toThrow(
      'mysql: 3 writable primaries (a, b, c): fence all but one by hand (SET GLOBAL read_only = 1)',
    );
  });

  test('verify never holds with two writable members, nor before every follower replicates from the new primary', () => {
    const desired = { primary: 'b', primaryDc: 'sh-a', writable: [], members: [], lag: {}, wantDcs: ['sh-a'], followers: ['a', 'c'] };
    expect(kind.holds(P, desired, state(primary('a', 'hz-a'), primary('b', 'sh-a'), replica('c', 'sz-a', 'b')))).toEqual({
      ok: false,
      detail: '2 writable primaries (a, b), want exactly one',
    });
    const connecting = state(replica('a', 'hz-a', 'b'), primary('b', 'sh-a'), {
      ...replica('c', 'sz-a', 'b'),
      replication: { source: 'b', io: 'Connecting', sql: 'Yes', secondsBehind: null, ioError: 'error connecting to master' },
    });
    expect(kind.holds(P, desired, connecting)).toEqual({
      ok: false,
      detail: 'c: replication IO Connecting, SQL Yes (error connecting to master)',
    });
    // a silent member cannot be checked
    expect(kind.holds(P, desired, state(silent('a', 'hz-a'), primary('b', 'sh-a'), replica('c', 'sz-a', 'b')))).toEqual({ ok: true });
  });

  test("rollback's target after a cut is the silent member that was not a replica", () => {
    const before = state(silent('a', 'hz-a'), replica('b', 'sh-a', 'a'), replica('c', 'sz-a', 'a'));
    expect(kind.holds(P, before, state(replica('a', 'hz-a', 'b'), primary('b', 'sh-a'), replica('c', 'sz-a', 'b')))).toEqual({
      ok: false,
      detail: 'primary is b (sh-a), want a (hz-a)',
    });
  });

  test('MySQL without GTIDs (gtid_mode OFF) is refused before anything is touched: positions, waits and re-pointing are by GTID', async () => {
    const my = (v: MysqlMemberView): MysqlMemberView => ({
      ...v,
      flavor: 'mysql',
      version: '8.0.36',
      gtidMode: v.name === 'a' ? 'OFF' : 'ON',
      gtid: '',
    });
    const s = state(my(primary('a', 'hz-a')), my(replica('b', 'sh-a', 'a')), my(replica('c', 'sz-a', 'a')));
    const p = { ...P, expectDcs: ['sh-a'], promote: 'b' };
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    await expect(kind.apply(p, { current: s, desired: d.desired }, makeKindContext())).rejects.toThrow(
      'refusing to switch: a has gtid_mode OFF, want ON (the catch-up and the re-pointing are by GTID)',
    );
  });

  test('check names bad params with their path', () => {
    expect(kind.check?.({ ...P, promote: 'zz', expectedPrimary: 'yy', lagWait: 'soon', replication: undefined as never })).toEqual([
      { path: ['lagWait'], message: 'bad duration "soon"' },
      { path: ['promote'], message: '"zz" is not a member (a, b, c)' },
      { path: ['expectedPrimary'], message: '"yy" is not a member (a, b, c)' },
      {
        path: [],
        message: 'promote needs replication: {user, password} (the account the old primary and the other replicas follow the new one with)',
      },
    ]);
  });
});
