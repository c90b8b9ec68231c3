import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dbPrimaryKind as kind, type DbPrimaryParams } from '../../../src/kinds/db-primary/index.js';
import { ABORT_GRACE_MS, isStepError } from '../../../src/model/kind.js';
import { startPgPair } from '../../../src/lab/pg-pair.js';
import { preparePgRoot } from '../../../src/lab/postgres.js';
import { readPidFile, signalServer } from '../../../src/lab/process.js';
import type { LabPgMember } from '../../../src/lab/types.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { freePort } from '../../helpers/free-port.js';
import { heldProxy, type HeldProxy } from '../../helpers/held-proxy.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { pollHolds, rollbackTo, runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

// One real PostgreSQL pair for the file: primary pg-hz-a, streaming standby pg-sh-a (lab.md settings).
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let members: LabPgMember[] = [];

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-pg-kind-');
  cleanup = tmp.cleanup;
  const [p1, p2] = [await freePort(), await freePort()];
  await preparePgRoot(path.join(tmp.dir, 'pg')); // opens the temp folder to the postgres user
  members = await startPgPair(path.join(tmp.dir, 'pg'), p1, p2, async (p) => procs.add(p.pid, 'SIGINT', p.pidFile));
}, 90_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

// No binDir: pg_ctl, pg_controldata and pg_rewind (not on PATH here) come from the data folders' version.
const params = (over: Partial<DbPrimaryParams> = {}): DbPrimaryParams => ({
  members: members.map(({ binDir: _b, ...m }) => m),
  expectDcs: ['sh-a'],
  promote: 'pg-sh-a',
  ...over,
});

async function sql(port: number, text: string): Promise<unknown[]> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}
const inRecovery = async (m: LabPgMember | undefined): Promise<boolean> =>
  ((await sql(m?.port ?? 0, 'select pg_is_in_recovery() as r'))[0] as { r: boolean }).r;

describe('db.primary', () => {
  it('promotes the standby with lag 0, is a skip when run again, and fails back with pg_rewind', async () => {
    const [hz, sh] = members;
    await sql(hz?.port ?? 0, 'create table if not exists t (v int); insert into t values (1)');
    const r = await runStepLife(kind, params(), { timeoutMs: 60_000 });
    expect(r.before.primary).toBe('pg-hz-a');
    expect(r.after).toMatchObject({ primary: 'pg-sh-a', primaryDc: 'sh-a', primaries: ['pg-sh-a'] });
    // the fenced old primary rejoined as a standby of the new one
    expect(r.after?.members.find((m) => m.name === 'pg-hz-a')?.role).toBe('standby');
    expect(r.again?.action).toBe('noop');
    expect(r.ctx.notes['lagBytes']).toBe(0);
    expect(typeof r.ctx.notes['electionMs']).toBe('number');
    // the lag seen before may be a few bytes (the insert above still replaying); the promotion waited for 0
    expect(r.describe).toMatch(/^postgres primary pg-hz-a \(hz-a\) \(pg-sh-a lag \d+ B\) → pg-sh-a \(sh-a\)$/);
    // rollback: pg-hz-a primary again, pg-sh-a its standby, and the data is there
    expect(r.restored?.primary).toBe('pg-hz-a');
    expect(await inRecovery(hz)).toBe(false);
    expect(await inRecovery(sh)).toBe(true);
    expect(await sql(sh?.port ?? 0, 'select count(*)::int as n from t')).toEqual([{ n: 1 }]);
  });

  it('a cut primary (frozen): refuses without acceptDataLoss, promotes with it, and fails back after the thaw', async () => {
    const [hz, sh] = members;
    const pid = await readPidFile(path.join(hz?.dataDir ?? '', 'postmaster.pid'));
    if (pid === undefined) throw new Error('no postmaster pid');
    signalServer(pid, 'SIGSTOP');
    let thawed = false;
    try {
      const p = params({ connectTimeout: '2s' }); // pg-sh-a is live: a busy machine must not read it as silent
      // hz-a known lost (ctx.lost): a promotion that must prove the old primary's position still asks it
      const ctx = makeKindContext({ timeoutMs: 30_000, lost: ['hz-a'] });
      const s = await kind.observe(p, ctx);
      expect(s.members.find((m) => m.name === 'pg-hz-a')).toMatchObject({
        role: 'unreachable',
        detail: expect.not.stringContaining('not waited for'),
      });
      expect(ctx.notes['membersNotWaitedFor']).toBeUndefined();
      // with acceptDataLoss it is not waited for, whatever its connect timeout (5 min: the context's 30 s would end a wait first)
      const lostCtx = makeKindContext({ timeoutMs: 30_000, lost: ['hz-a'] });
      const fast = await kind.observe({ ...p, acceptDataLoss: true, connectTimeout: '5m' }, lostCtx);
      expect(fast.members.find((m) => m.name === 'pg-hz-a')?.detail).toBe(
        'postgres pg-hz-a: in lost data center hz-a: no answer by the time the survivors answered (not waited for)',
      );
      expect(fast.members.find((m) => m.name === 'pg-sh-a')?.role).toBe('standby');
      expect(lostCtx.notes['membersNotWaitedFor']).toEqual(['pg-hz-a']);
      // observed again in the same attempt (verify's polls): still silent, said at once from the probe left behind
      expect((await kind.observe(p, ctx)).members.find((m) => m.name === 'pg-hz-a')?.detail).toMatch(
        /: unreachable \(no answer for \d+ ms\)$/,
      );
      const d = kind.decide(p, s);
      if (d.action !== 'change') throw new Error('expected a change');
      await expect(kind.apply(p, { current: s, desired: d.desired }, ctx)).rejects.toThrow(
        'refusing to promote pg-sh-a: no primary answers, so its lag cannot be proven zero (set acceptDataLoss: true to promote anyway)',
      );
      const r = await runStepLife(kind, { ...p, acceptDataLoss: true }, { timeoutMs: 60_000, skipRollback: true });
      expect(r.after?.primary).toBe('pg-sh-a');
      expect(r.ctx.notes['lagBytes']).toBeNull();
      signalServer(pid, 'SIGCONT');
      thawed = true;
      // the same attempt sees the thawed old primary again (two primaries: verify would not hold)
      await waitFor(async () => (await kind.observe(p, r.ctx)).primaries.length === 2, 'the thawed pg-hz-a to be seen as a primary again');
      // after the thaw pg-hz-a is a second, diverged primary: rollback stops it, rewinds it, switches back
      const back = await rollbackTo(kind, p, r.before, makeKindContext({ timeoutMs: 60_000 }));
      expect(back.primary).toBe('pg-hz-a');
      expect(await inRecovery(hz)).toBe(false);
      expect(await inRecovery(sh)).toBe(true);
    } finally {
      if (!thawed) signalServer(pid, 'SIGCONT');
    }
  });

  it('observe reports the lag (db-primary-choice.test.ts proves it changes nothing)', async () => {
    const a = await kind.observe(params(), makeKindContext());
    expect(Object.keys(a.lagBytes)).toEqual(['pg-sh-a']);
    expect(kind.decide(params({ expectDcs: ['hz-a', 'sh-a'] }), a)).toMatchObject({ action: 'noop' });
  });

  it('refuses to promote while the standby lags (not retryable), and leaves the old primary running', async () => {
    const [hz, sh] = members;
    await sql(sh?.port ?? 0, 'select pg_wal_replay_pause()');
    try {
      await sql(hz?.port ?? 0, 'insert into t select generate_series(1, 1000)');
      const ctx = makeKindContext({ timeoutMs: 30_000 });
      const p = params({ lagWait: '300ms' });
      const s = await kind.observe(p, ctx);
      const d = kind.decide(p, s);
      if (d.action !== 'change') throw new Error('expected a change');
      const e = await kind.apply(p, { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
      expect(isStepError(e) && !e.retryable).toBe(true);
      expect((e as Error).message).toMatch(
        /^refusing to promote pg-sh-a: \d+ bytes behind pg-hz-a after waiting 300ms \(or the step's time left\), want ≤ 0 \(set acceptDataLoss: true to promote anyway\); pg-hz-a was restarted as primary$/,
      );
      expect(await inRecovery(hz)).toBe(false);
      expect(await inRecovery(sh)).toBe(true);

      // a step timeout shorter than lagWait (5s by default): the wait is cut to the time left, minus the
      // time to restart the fenced primary, which is then running as primary again within the timeout
      const slow = params({ lagWait: '20s' });
      const short = makeKindContext({ timeoutMs: 9_000 });
      const s2 = await kind.observe(slow, short);
      const d2 = kind.decide(slow, s2);
      if (d2.action !== 'change') throw new Error('expected a change');
      const e2 = await kind.apply(slow, { current: s2, desired: d2.desired }, short).catch((x: unknown) => x);
      expect((e2 as Error).message).toMatch(
        /^refusing to promote pg-sh-a: (\d+ bytes behind pg-hz-a|its lag behind pg-hz-a could not be read)/,
      );
      expect((e2 as Error).message).toMatch(/; pg-hz-a was restarted as primary$/);
      expect(short.signal.aborted).toBe(false);
      expect(await inRecovery(hz)).toBe(false);

      // too little time left to fence and restart: nothing is stopped at all
      const tiny = makeKindContext({ timeoutMs: 4_000 });
      const e3 = await kind.apply(slow, { current: s2, desired: d2.desired }, tiny).catch((x: unknown) => x);
      expect((e3 as Error).message).toMatch(/^refusing to fence pg-hz-a: the step has \d+ms left, want at least 6000ms/);
      expect(await inRecovery(hz)).toBe(false);
    } finally {
      await sql(sh?.port ?? 0, 'select pg_wal_replay_resume()');
    }
  });

  it('refuses to make two primaries when the old one cannot be fenced', async () => {
    const ctx = makeKindContext();
    const p = params({ members: members.map(({ dataDir: _d, ...m }) => m) });
    const s = await kind.observe(p, ctx);
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    await expect(kind.apply(p, { current: s, desired: d.desired }, ctx)).rejects.toThrow(
      /pg-hz-a is still primary and answers: promoting pg-sh-a would make two primaries/,
    );
    expect(kind.reversible?.(p)).toBe(false);
  });

  it("without promote, waits for the database's own election: verify does not hold", async () => {
    const { promote: _promote, ...p } = params();
    const ctx = makeKindContext({ timeoutMs: 30_000 });
    const s = await kind.observe(p, ctx);
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    await kind.apply(p, { current: s, desired: d.desired }, ctx); // changes nothing: the database would elect
    // verify, bounded by its own short deadline (the observe and apply above are not part of it)
    const r = await pollHolds(kind, p, d.desired, makeKindContext({ timeoutMs: 3_000 }), 100, 'verify').catch((x: unknown) => x);
    expect((r as Error).message).toBe('db.primary verify did not hold before the timeout: primary is pg-hz-a (hz-a), want one in sh-a');
  });

  describe('deadlines: a member frozen mid-step (SIGSTOP) never holds the step past its deadline', () => {
    const pidOf = async (m: LabPgMember | undefined): Promise<number> => {
      const pid = await readPidFile(path.join(m?.dataDir ?? '', 'postmaster.pid'));
      if (pid === undefined) throw new Error(`no postmaster pid for ${m?.name ?? '?'}`);
      return pid;
    };

    it('observe waiting on a frozen primary stops at once when the signal aborts (its connect timeout is minutes)', async () => {
      const [hz] = members;
      const r = await whileFrozen([await pidOf(hz)], () =>
        abortMidStep((ctx) => kind.observe(params({ connectTimeout: '10m' }), ctx), { port: hz?.port ?? 0 }),
      );
      expectStoppedInGrace(r);
    });

    it("a promotion target frozen mid-apply: the wait ends early, the fenced primary runs again, all within the step's timeout", async () => {
      const [hz, sh] = members;
      const shPid = await pidOf(sh);
      const timeoutMs = 12_000;
      const p = params({ connectTimeout: '10m', lagWait: '1s' });
      let frozen = false;
      // frozen the moment the kind says it promotes: after the fence and the lag proof, before pg_promote
      const ctx = makeKindContext({
        timeoutMs,
        onProgress: (m) => {
          if (m.startsWith('promoting ') && !frozen) {
            frozen = true;
            process.kill(shPid, 'SIGSTOP');
          }
        },
      });
      try {
        const s = await kind.observe(p, ctx);
        const d = kind.decide(p, s);
        if (d.action !== 'change') throw new Error('expected a change');
        const t0 = performance.now();
        const e = await kind.apply(p, { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
        const tookMs = performance.now() - t0;
        expect(frozen).toBe(true);
        expect((e as Error).message).toMatch(
          /^postgres pg-sh-a \(127\.0\.0\.1:\d+\): stopped waiting .*; pg-hz-a was restarted as primary$/,
        );
        expect(tookMs, `apply took ${Math.round(tookMs)} ms`).toBeLessThan(timeoutMs + ABORT_GRACE_MS);
      } finally {
        process.kill(shPid, 'SIGCONT');
      }
      expect(await inRecovery(hz)).toBe(false);
      expect(await inRecovery(sh)).toBe(true);
    });
  });

  describe('a member in a lost data center (ctx.lost) that answers: acted on as before, not taken for dead', () => {
    // pg-hz-a behind a relay (127.0.0.2, same port) that holds its answers until the test releases them:
    // a live old primary that answers after the standby has (the race respond --lost met on a live lab)
    let proxy: HeldProxy | undefined;
    afterEach(async () => proxy?.close());
    const lostParams = async (over: Partial<DbPrimaryParams> = {}): Promise<DbPrimaryParams> => {
      const [hz] = members;
      proxy = await heldProxy('127.0.0.2', hz?.port ?? 0, { host: '127.0.0.1', port: hz?.port ?? 0 });
      // connectTimeout 5 min: observe returning while pg-hz-a's answer is held proves it was not waited for
      return params({
        acceptDataLoss: true,
        connectTimeout: '5m',
        members: params().members.map((m) => (m.name === 'pg-hz-a' ? { ...m, host: '127.0.0.2' } : m)),
        ...over,
      });
    };
    const home = async () => {
      const s = await kind.observe(params(), makeKindContext());
      expect(s.primary).toBe('pg-hz-a');
      return s;
    };

    it('answering after the standby but before the promotion: fenced first and rejoined, as if it had answered at once', async () => {
      const [hz, sh] = members;
      const before = await home();
      const p = await lostParams();
      const ctx = makeKindContext({ timeoutMs: 60_000, lost: ['hz-a'] });
      const s = await kind.observe(p, ctx);
      expect(s.primary).toBeNull();
      expect(s.members.find((m) => m.name === 'pg-hz-a')?.detail).toContain('(not waited for)');
      expect(ctx.notes['membersNotWaitedFor']).toEqual(['pg-hz-a']);
      proxy?.release();
      await proxy?.answered; // its answer (a primary) reached the step, still asking it
      const d = kind.decide(p, s);
      if (d.action !== 'change') throw new Error('expected a change');
      await kind.apply(p, { current: s, desired: d.desired }, ctx);
      const after = await pollHolds(kind, p, d.desired, ctx, 100, 'verify');
      expect(ctx.notes['membersAnsweredLate']).toEqual(['pg-hz-a']);
      expect(ctx.progressLog).toContain('fencing pg-hz-a (fast shutdown)');
      expect(ctx.notes['lagBytes']).toBe(0); // fenced first: its final checkpoint reached the standby
      // exactly one primary; the fenced one counted by verify as what it is now: a standby
      expect(after).toMatchObject({ primary: 'pg-sh-a', primaries: ['pg-sh-a'] });
      expect(after.members.find((m) => m.name === 'pg-hz-a')?.role).toBe('standby');
      expect(await inRecovery(hz)).toBe(true);
      expect(await inRecovery(sh)).toBe(false);
      expect((await rollbackTo(kind, params(), before, makeKindContext({ timeoutMs: 60_000 }))).primary).toBe('pg-hz-a');
    });

    it('answering only after the promotion: fenced then and rejoined; verify waits for that, never two primaries at the end', async () => {
      const [hz, sh] = members;
      const before = await home();
      const p = await lostParams();
      const ctx = makeKindContext({
        timeoutMs: 60_000,
        lost: ['hz-a'],
        onProgress: (m) => {
          if (m === 'promoting pg-sh-a') proxy?.release();
        },
      });
      const s = await kind.observe(p, ctx);
      expect(s.primary).toBeNull();
      const d = kind.decide(p, s);
      if (d.action !== 'change') throw new Error('expected a change');
      await kind.apply(p, { current: s, desired: d.desired }, ctx);
      await proxy?.answered; // its answer came during the step
      const after = await pollHolds(kind, p, d.desired, ctx, 100, 'verify');
      expect(ctx.notes['lagBytes']).toBeNull(); // promoted with no primary answering (acceptDataLoss)
      expect(ctx.notes['fencedAfterPromotion']).toBe('pg-hz-a');
      expect(ctx.progressLog).toContain(
        'pg-hz-a (lost data center hz-a) answered after pg-sh-a was promoted, as a primary: fencing it (fast shutdown)',
      );
      expect(after).toMatchObject({ primary: 'pg-sh-a', primaries: ['pg-sh-a'] });
      expect(after.members.find((m) => m.name === 'pg-hz-a')?.role).toBe('standby');
      expect(await inRecovery(hz)).toBe(true);
      expect(await inRecovery(sh)).toBe(false);
      expect((await rollbackTo(kind, params(), before, makeKindContext({ timeoutMs: 60_000 }))).primary).toBe('pg-hz-a');
    });

    it('without acceptDataLoss its answer is still waited for (held, then given): the old primary is seen, as without ctx.lost', async () => {
      const before = await home();
      const p = await lostParams({ acceptDataLoss: false });
      const ctx = makeKindContext({ timeoutMs: 60_000, lost: ['hz-a'] });
      const observed = kind.observe(p, ctx);
      let settled = false;
      void observed.finally(() => (settled = true));
      // the standby's answer is in long before the held one; observe still waits for pg-hz-a
      await kind.observe(params(), makeKindContext()); // a full observe of both members, meanwhile
      expect(settled).toBe(false);
      proxy?.release();
      const s = await observed;
      expect(s.primary).toBe(before.primary);
      expect(ctx.notes['membersNotWaitedFor']).toBeUndefined();
    });
  });

  it('names bad input: an unknown member to promote', () => {
    expect(kind.check?.(params({ promote: 'pg-xx' }))).toEqual([
      { path: ['promote'], message: '"pg-xx" is not a member (pg-hz-a, pg-sh-a)' },
    ]);
  });

  it('fails within the timeout when no member answers (refused and silent)', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const closedPort = await freePort();
      const silentPort = (silent.address() as net.AddressInfo).port;
      const ctx = makeKindContext({ timeoutMs: 10_000 });
      const e = await kind
        .observe(
          {
            members: [
              { name: 'a', dc: 'hz-a', host: '127.0.0.1', port: closedPort },
              { name: 'b', dc: 'sh-a', host: '127.0.0.1', port: silentPort },
            ],
            expectDcs: ['sh-a'],
            connectTimeout: '500ms',
          },
          ctx,
        )
        .catch((x: unknown) => x);
      expect(ctx.signal.aborted).toBe(false);
      expect((e as Error).message).toContain(`postgres a (127.0.0.1:${closedPort}): unreachable (ECONNREFUSED)`);
      expect((e as Error).message).toContain(`postgres b (127.0.0.1:${silentPort}): unreachable`);
    } finally {
      silent.close();
    }
  });
});
