import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlPrimaryKind as kind, type MysqlPrimaryParams, type MysqlPrimaryState } from '../../../src/kinds/mysql-primary/index.js';
import { isStepError } from '../../../src/model/kind.js';
import { freePort } from '../../helpers/free-port.js';
import { heldProxy } from '../../helpers/held-proxy.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startGroup, type MariadbGroup } from '../../helpers/mariadb-group.js';
import { pollHolds, rollbackTo, runStepLife } from '../../helpers/step-life.js';
import { waitFor } from '../../helpers/wait-for.js';

// Three real MariaDB servers (Debian's mariadb-server, the lab's settings): db-hz-a primary, db-sh-a and
// db-sz-a its GTID replicas. Every test leaves them so (db-hz-a primary), as the first one found them.
let g: MariadbGroup;
beforeAll(async () => {
  g = await startGroup('drctl-mysql-kind-', ['hz-a', 'sh-a', 'sz-a']);
}, 120_000);
afterAll(async () => g?.stop());

const params = (over: Partial<MysqlPrimaryParams> = {}): MysqlPrimaryParams => ({
  members: g.members,
  expectDcs: ['sh-a'],
  promote: 'db-sh-a',
  expectedPrimary: 'db-hz-a',
  replication: { user: 'repl', password: g.password, connectRetry: 1 },
  connectTimeout: '1s',
  ...over,
});

/** Who is writable, and whom each replica follows (read from the servers, not through the kind). */
async function topology(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of g.members) {
    const [v] = await g.sql(m.name, 'SELECT @@global.read_only AS ro');
    const [r] = await g.sql(m.name, 'SHOW SLAVE STATUS');
    const port = r?.['Master_Port'];
    const source = g.members.find((x) => x.port === Number(port))?.name ?? 'none';
    out[m.name] =
      Number(v?.['ro']) === 0
        ? 'primary'
        : `replica of ${source} (IO ${String(r?.['Slave_IO_Running'])}, SQL ${String(r?.['Slave_SQL_Running'])})`;
  }
  return out;
}
const HOME = {
  'db-hz-a': 'primary',
  'db-sh-a': 'replica of db-hz-a (IO Yes, SQL Yes)',
  'db-sz-a': 'replica of db-hz-a (IO Yes, SQL Yes)',
};
const rows = async (name: string): Promise<number> => Number((await g.sql(name, 'SELECT COUNT(*) AS n FROM lab.writes'))[0]?.['n']);
const allHave = (n: number) =>
  waitFor(async () => (await Promise.all(g.members.map((m) => rows(m.name)))).every((x) => x === n), `all members to hold ${n} rows`);
const change = (p: MysqlPrimaryParams, s: MysqlPrimaryState) => {
  const d = kind.decide(p, s);
  if (d.action !== 'change') throw new Error('expected a change');
  return { current: s, desired: d.desired };
};

/** Replication at rest: every replica's IO thread has read, and its SQL thread applied, up to the primary's binlog
 *  position. A replica re-pointed by the test before (GTID) connects on its own a moment later and then moves its
 *  file and positions: a snapshot taken before that moment would differ from the next one without drctl doing anything. */
async function settled(): Promise<void> {
  await waitFor(async () => {
    const [head] = await g.sql('db-hz-a', 'SHOW MASTER STATUS');
    const replicas = await Promise.all(
      g.members.filter((m) => m.name !== 'db-hz-a').map(async (m) => (await g.sql(m.name, 'SHOW SLAVE STATUS'))[0]),
    );
    return replicas.every(
      (r) =>
        r?.['Slave_IO_Running'] === 'Yes' &&
        r['Slave_SQL_Running'] === 'Yes' &&
        r['Master_Log_File'] === head?.['File'] &&
        Number(r['Read_Master_Log_Pos']) === Number(head?.['Position']) &&
        r['Relay_Master_Log_File'] === head?.['File'] &&
        Number(r['Exec_Master_Log_Pos']) === Number(head?.['Position']),
    );
  }, "every replica to have read and applied up to the primary's binlog position");
}

/** Every server's variables and replication status: what plan must leave exactly as it found it. */
async function snapshot(): Promise<unknown> {
  return Promise.all(
    g.members.map(async (m) => ({
      variables: await g.sql(m.name, 'SHOW GLOBAL VARIABLES'),
      replication: (await g.sql(m.name, 'SHOW SLAVE STATUS')).map(
        ({ Seconds_Behind_Master: _s, Slave_IO_State: _io, Slave_SQL_Running_State: _sql, ...rest }) => rest,
      ),
    })),
  );
}

describe('mysql.primary on real MariaDB', () => {
  it('switches with RPO 0: fences the old primary (read_only, its clients killed), promotes, re-points both; a skip when run again; fails back', async () => {
    expect(await topology()).toEqual(HOME);
    const app = await g.connect('db-hz-a', 'app');
    await app.query("INSERT INTO lab.writes (dc) VALUES ('hz-a')");
    const r = await runStepLife(kind, params(), { timeoutMs: 60_000, skipRollback: true });
    expect(r.before.primary).toBe('db-hz-a');
    expect(r.after).toMatchObject({ primary: 'db-sh-a', primaryDc: 'sh-a', writable: ['db-sh-a'] });
    expect(await topology()).toEqual({
      'db-hz-a': 'replica of db-sh-a (IO Yes, SQL Yes)',
      'db-sh-a': 'primary',
      'db-sz-a': 'replica of db-sh-a (IO Yes, SQL Yes)',
    });
    expect(r.again).toEqual({ action: 'noop', reason: 'primary already db-sh-a (sh-a)' });
    expect(r.describe).toMatch(
      /^mysql primary db-hz-a \(hz-a\) \(db-sh-a \d+ transactions behind, db-sz-a \d+ transactions behind\) → db-sh-a \(sh-a\)$/,
    );
    expect(r.ctx.notes).toMatchObject({
      lagTransactions: expect.any(Number),
      electionMs: expect.any(Number),
      writesBlockedMs: expect.any(Number),
    });
    expect(r.ctx.notes['killedConnections']).toBeGreaterThanOrEqual(1);
    // the fence: the app's open connection was killed, and a new one may not write on the old primary
    await expect(app.query('SELECT 1')).rejects.toThrow();
    app.destroy();
    await expect(g.sql('db-hz-a', "INSERT INTO lab.writes (dc) VALUES ('hz-a')", { user: 'app' })).rejects.toThrow(/read-only/);
    await g.sql('db-sh-a', "INSERT INTO lab.writes (dc) VALUES ('sh-a')", { user: 'app' });
    await allHave(2);

    const back = await rollbackTo(kind, params(), r.before, makeKindContext({ timeoutMs: 60_000 }));
    expect(back.primary).toBe('db-hz-a');
    expect(await topology()).toEqual(HOME);
    await g.sql('db-hz-a', "INSERT INTO lab.writes (dc) VALUES ('hz-a')", { user: 'app' });
    await allHave(3);
  });

  it('promote: true picks the most caught-up replica in expectDcs, and re-points a replica whose threads were stopped', async () => {
    await g.sql('db-sh-a', 'STOP SLAVE');
    await g.sql('db-hz-a', "INSERT INTO lab.writes (dc) VALUES ('hz-a')", { user: 'app' });
    await waitFor(async () => (await kind.observe(params(), makeKindContext())).lag['db-sz-a'] === 0, 'db-sz-a to catch up');
    const p = params({ promote: true, expectDcs: ['sh-a', 'sz-a'] });
    const r = await runStepLife(kind, p, { timeoutMs: 60_000, skipRollback: true });
    expect(r.before.lag).toEqual({ 'db-sh-a': 1, 'db-sz-a': 0 });
    expect(r.after?.primary).toBe('db-sz-a');
    expect(await topology()).toEqual({
      'db-hz-a': 'replica of db-sz-a (IO Yes, SQL Yes)',
      'db-sh-a': 'replica of db-sz-a (IO Yes, SQL Yes)',
      'db-sz-a': 'primary',
    });
    await rollbackTo(kind, p, r.before, makeKindContext({ timeoutMs: 60_000 }));
    expect(await topology()).toEqual(HOME);
    const n = await rows('db-hz-a');
    await allHave(n);
  });

  it("observe, decide and describe change nothing: every server's variables and replication status are as before", async () => {
    await settled();
    const before = await snapshot();
    const ctx = makeKindContext();
    const s0 = await kind.observe(params(), ctx);
    for (const p of [params(), params({ promote: true, expectDcs: ['sh-a', 'sz-a'] }), params({ promote: undefined })]) {
      const s = await kind.observe(p, ctx);
      kind.describe(p, s, kind.decide(p, s).action === 'change' ? change(p, s).desired : undefined);
    }
    expect(() => kind.decide(params({ expectedPrimary: 'db-sz-a' }), s0)).toThrow(/^refusing to switch/);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses when the primary is not the one the runbook expects (compare-and-set), changing nothing', async () => {
    const p = params({ expectedPrimary: 'db-sz-a' });
    const s = await kind.observe(p, makeKindContext());
    const e = (() => {
      try {
        kind.decide(p, s);
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(isStepError(e) && !e.retryable && e.unchanged).toBe(true);
    expect((e as Error).message).toBe(
      'refusing to switch: the primary is db-hz-a, not db-sz-a as the runbook expects (expectedPrimary): someone else switched, or the runbook is stale',
    );
    // apply checks it again (a plan approved earlier, a state observed before someone else's switch)
    await expect(kind.apply(p, { current: s, desired: change(params(), s).desired }, makeKindContext())).rejects.toThrow(
      /^refusing to switch: the primary is db-hz-a, not db-sz-a/,
    );
    expect(await topology()).toEqual(HOME);
  });

  it('refuses a lagging replica: over the lag ceiling or with its applier stopped before any fence; not caught up within lagWait with the fence lifted', async () => {
    const app = await g.connect('db-hz-a', 'app');
    try {
      await g.sql('db-sh-a', 'STOP SLAVE SQL_THREAD');
      for (let i = 0; i < 3; i++) await app.query("INSERT INTO lab.writes (dc) VALUES ('hz-a')");
      const ctx = makeKindContext();
      const ceiling = params({ maxLagTransactions: 2 });
      const s = await kind.observe(ceiling, ctx);
      expect(s.lag['db-sh-a']).toBe(3);
      await expect(kind.apply(ceiling, change(ceiling, s), ctx)).rejects.toThrow(
        'refusing to promote db-sh-a: 3 transactions behind db-hz-a, more than maxLagTransactions 2 (the primary was not fenced)',
      );
      await expect(kind.apply(params(), change(params(), s), ctx)).rejects.toThrow(
        'refusing to promote db-sh-a: its replication from db-hz-a is not running (IO Yes, SQL No), so it cannot catch up (set acceptDataLoss: true to promote anyway)',
      );
      await app.query('SELECT 1'); // never fenced: the app's connection lives
    } finally {
      await g.sql('db-sh-a', 'START SLAVE SQL_THREAD');
    }
    await waitFor(async () => (await kind.observe(params(), makeKindContext())).lag['db-sh-a'] === 0, 'db-sh-a to catch up');

    // the applier blocked (a global read lock on the replica): the fenced primary waits lagWait, then takes writes again
    const lock = await g.connect('db-sh-a');
    try {
      await lock.query('FLUSH TABLES WITH READ LOCK');
      await app.query("INSERT INTO lab.writes (dc) VALUES ('hz-a')");
      const p = params({ lagWait: '500ms' });
      const ctx = makeKindContext({ timeoutMs: 20_000 });
      const s = await kind.observe(p, ctx);
      const e = await kind.apply(p, change(p, s), ctx).catch((x: unknown) => x);
      expect(isStepError(e) && !e.retryable && e.unchanged).toBe(true);
      expect((e as Error).message).toMatch(
        /^refusing to promote db-sh-a: it has not applied 1 of db-hz-a's transactions \(0-1-\d+\) after waiting 500ms \(or the step's time left\) \(set acceptDataLoss: true to promote anyway\); db-hz-a takes writes again$/,
      );
      expect(ctx.signal.aborted).toBe(false);
    } finally {
      await lock.query('UNLOCK TABLES');
      lock.destroy();
      app.destroy();
    }
    expect(await topology()).toEqual(HOME);
    await g.sql('db-hz-a', "INSERT INTO lab.writes (dc) VALUES ('hz-a')", { user: 'app' });

    // too little time left to fence, wait and lift the fence again: nothing is fenced at all
    const tiny = makeKindContext({ timeoutMs: 3_000 });
    const s = await kind.observe(params(), tiny);
    await expect(kind.apply(params(), change(params(), s), tiny)).rejects.toThrow(
      /^refusing to fence db-hz-a: the step has \d+ms left, want at least 5400ms/,
    );
    expect(await topology()).toEqual(HOME);
  });

  it("ends within the step's timeout when the candidate freezes mid-switch, and the fenced primary takes writes again", async () => {
    const lock = await g.connect('db-sh-a');
    await lock.query('FLUSH TABLES WITH READ LOCK'); // the candidate cannot apply: the switch waits on it
    await g.sql('db-hz-a', "INSERT INTO lab.writes (dc) VALUES ('hz-a')", { user: 'app' });
    const p = params({ lagWait: '60s' });
    const ctx = makeKindContext({ timeoutMs: 8_000 });
    const s = await kind.observe(p, ctx);
    const applying = kind.apply(p, change(p, s), ctx).catch((x: unknown) => x);
    let frozen = false;
    try {
      await waitFor(
        async () => Number((await g.sql('db-hz-a', 'SELECT @@global.read_only AS ro'))[0]?.['ro']) === 1,
        'db-hz-a to be fenced',
        8_000,
        10,
      );
      await g.signal('db-sh-a', 'SIGSTOP');
      frozen = true;
      const e = await applying;
      expect(ctx.signal.aborted).toBe(false); // it ended within the step's timeout, the fence lifted
      expect((e as Error).message).toMatch(
        /^mysql db-sh-a \(127\.0\.0\.1:\d+\): no answer to "SELECT MASTER_GTID_WAIT\(\?, \?\) AS w" within \d+ms; db-hz-a takes writes again$/,
      );
      expect(Number((await g.sql('db-hz-a', 'SELECT @@global.read_only AS ro'))[0]?.['ro'])).toBe(0);
    } finally {
      if (frozen) await g.signal('db-sh-a', 'SIGCONT');
      await lock.query('UNLOCK TABLES');
      lock.destroy();
    }
    await waitFor(async () => (await topology())['db-sh-a'] === HOME['db-sh-a'], 'db-sh-a to replicate again');
    expect(await topology()).toEqual(HOME);
  });

  it('wait mode: verifies the election someone else makes (orchestrator, MHA) and records its time; rollback fails back', async () => {
    const { promote: _promote, ...p } = params();
    const ctx = makeKindContext({ timeoutMs: 30_000 });
    const s = await kind.observe(p, ctx);
    const d = change(p, s);
    expect(d.desired).toMatchObject({ primary: null, wantDcs: ['sh-a'] });
    await kind.apply(p, d, ctx); // changes nothing: the estate elects
    expect(await topology()).toEqual(HOME);
    // the "orchestrator": fence, promote db-sh-a, re-point the others
    await g.sql('db-hz-a', 'SET GLOBAL read_only = 1');
    await g.sql('db-sh-a', 'STOP SLAVE');
    await g.sql('db-sh-a', 'RESET SLAVE ALL');
    await g.sql('db-sh-a', 'SET GLOBAL read_only = 0');
    const after = await pollHolds(kind, p, d.desired, ctx, 50, 'verify');
    expect(after.primary).toBe('db-sh-a');
    expect(ctx.notes).toMatchObject({ electionMs: expect.any(Number), lagTransactions: 0 });
    // rollback: db-hz-a (read-only, on its own) rejoins db-sh-a, db-sz-a is re-pointed, then the switch back
    const back = await rollbackTo(kind, params(), s, makeKindContext({ timeoutMs: 60_000 }));
    expect(back.primary).toBe('db-hz-a');
    expect(await topology()).toEqual(HOME);
  });

  it('connects with exactly the given fields: no password read from MYSQL_PWD; a wrong one fails as authentication, not retried', async () => {
    const saved = process.env.MYSQL_PWD;
    process.env.MYSQL_PWD = g.password;
    try {
      const members = g.members.map(({ password: _pw, ...m }) => m);
      const e = await kind.observe(params({ members }), makeKindContext()).catch((x: unknown) => x);
      expect(isStepError(e) && !e.retryable).toBe(true);
      expect((e as Error).message).toMatch(
        /^mysql db-(hz|sh|sz)-a \(127\.0\.0\.1:\d+\): authentication failed \(Access denied for user 'drctl'@'127\.0\.0\.1' \(using password: NO\)\)$/,
      );
    } finally {
      if (saved === undefined) delete process.env.MYSQL_PWD;
      else process.env.MYSQL_PWD = saved;
    }
  });

  it('a silent member costs one connect timeout and holds up no other; observed again, it is reported at once; none answering fails', async () => {
    const silent = net.createServer(() => undefined); // accepts, never greets: a frozen server as clients see it
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const p = params({
        members: [...g.members, { name: 'db-xx', dc: 'sz-a', host: '127.0.0.1', port, user: 'drctl' }],
        connectTimeout: '500ms',
      });
      const ctx = makeKindContext({ timeoutMs: 10_000 });
      const s = await kind.observe(p, ctx);
      expect(s.primary).toBe('db-hz-a');
      expect(s.members.find((m) => m.name === 'db-xx')).toMatchObject({
        role: 'unreachable',
        detail: `mysql db-xx (127.0.0.1:${port}): unreachable (no answer within 500ms)`,
      });
      expect((await kind.observe(p, ctx)).members.find((m) => m.name === 'db-xx')?.detail).toMatch(
        /: unreachable \(no answer for \d+ ms\)$/,
      );
      const closed = await freePort();
      const none = await kind
        .observe(
          {
            ...p,
            members: [
              { name: 'a', dc: 'hz-a', port: closed },
              { name: 'b', dc: 'sh-a', port },
            ],
          },
          makeKindContext({ timeoutMs: 10_000 }),
        )
        .catch((x: unknown) => x);
      expect((none as Error).message).toBe(
        `mysql: no member answers (mysql a (127.0.0.1:${closed}): unreachable (ECONNREFUSED); mysql b (127.0.0.1:${port}): unreachable (no answer within 500ms))`,
      );
    } finally {
      silent.close();
    }
  });

  it('a member in a lost data center (ctx.lost) is not waited for, whatever its connect timeout; a promotion that must prove positions still waits for it', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const cut = { name: 'db-xx', dc: 'xx-a', host: '127.0.0.1', port, user: 'drctl' };
      // wait mode: the survivors decide; a production connect timeout (5 min) on the cut member is never
      // waited (the context's 30 s deadline would end the observe first)
      const { promote: _promote, ...waitMode } = params({ members: [...g.members, cut], connectTimeout: '5m' });
      const ctx = makeKindContext({ timeoutMs: 30_000, lost: ['xx-a'] });
      const s = await kind.observe(waitMode, ctx);
      expect(s.primary).toBe('db-hz-a');
      expect(s.members.find((m) => m.name === 'db-xx')).toMatchObject({
        role: 'unreachable',
        detail: `mysql db-xx (127.0.0.1:${port}): in lost data center xx-a: no answer by the time the survivors answered (not waited for)`,
      });
      expect(ctx.notes['membersNotWaitedFor']).toEqual(['db-xx']);
      // promote without acceptDataLoss: every position must be known, so the lost member is asked until its own timeout
      const promoting = makeKindContext({ timeoutMs: 30_000, lost: ['xx-a'] });
      const q = await kind.observe(params({ members: [...g.members, cut], connectTimeout: '500ms' }), promoting);
      expect(q.members.find((m) => m.name === 'db-xx')?.detail).toBe(
        `mysql db-xx (127.0.0.1:${port}): unreachable (no answer within 500ms)`,
      );
      expect(promoting.notes['membersNotWaitedFor']).toBeUndefined();
    } finally {
      silent.close();
    }
  });

  it('a live old primary in a lost data center answering only after the promotion: fenced then, follows the new primary; never two writable at the end', async () => {
    await settled();
    expect(await topology()).toEqual(HOME);
    const home = await kind.observe(params(), makeKindContext());
    const hz = g.members.find((m) => m.name === 'db-hz-a');
    // db-hz-a behind a relay (127.0.0.2, same port) that holds its answers until the promotion is under way
    const proxy = await heldProxy('127.0.0.2', hz?.port ?? 0, { host: '127.0.0.1', port: hz?.port ?? 0 });
    try {
      const p = params({
        acceptDataLoss: true,
        connectTimeout: '5m', // observe returning while its answer is held: not waited for
        members: g.members.map((m) => (m.name === 'db-hz-a' ? { ...m, host: '127.0.0.2' } : m)),
      });
      const ctx = makeKindContext({
        timeoutMs: 60_000,
        lost: ['hz-a'],
        onProgress: (m) => {
          if (m.startsWith('promoting db-sh-a')) proxy.release();
        },
      });
      const s = await kind.observe(p, ctx);
      expect(s.primary).toBeNull();
      expect(ctx.notes['membersNotWaitedFor']).toEqual(['db-hz-a']);
      await kind.apply(p, change(p, s), ctx);
      await proxy.answered; // its answer (writable) came during the step
      const after = await pollHolds(kind, p, change(p, s).desired, ctx, 100, 'verify');
      expect(ctx.notes['fencedAfterPromotion']).toBe('db-hz-a');
      expect(after.writable).toEqual(['db-sh-a']);
      expect(await topology()).toEqual({
        'db-hz-a': 'replica of db-sh-a (IO Yes, SQL Yes)',
        'db-sh-a': 'primary',
        'db-sz-a': 'replica of db-sh-a (IO Yes, SQL Yes)',
      });
    } finally {
      await proxy.close();
    }
    await rollbackTo(kind, params(), home, makeKindContext({ timeoutMs: 60_000 }));
    expect(await topology()).toEqual(HOME);
  });
});
