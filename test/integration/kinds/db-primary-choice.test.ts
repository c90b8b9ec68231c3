import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbPrimaryKind as kind, type DbPrimaryParams } from '../../../src/kinds/db-primary/index.js';
import { toolPath } from '../../../src/kinds/db-primary/local.js';
import type { PgMember } from '../../../src/kinds/db-primary/params.js';
import { isStepError } from '../../../src/model/kind.js';
import { startPgPair } from '../../../src/lab/pg-pair.js';
import { cloneStandby, PG_OS_USER, preparePgRoot, startPostgres } from '../../../src/lab/postgres.js';
import { asUser, mustRun, pgBinDir } from '../../../src/lab/run.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { pollHolds, rollbackTo } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

// A real primary (hz-a) with two streaming standbys (sh-a, sz-a); no binDir anywhere: the tools come
// from the bin folder of the version in each data folder (pg_rewind is not on PATH here).
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let members: PgMember[] = [];
let tmpDir = '';

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-pg-choice-');
  cleanup = tmp.cleanup;
  tmpDir = tmp.dir;
  const root = path.join(tmp.dir, 'pg');
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  await preparePgRoot(root); // opens the temp folder to the postgres user
  const pair = await startPgPair(root, p1, p2, async (p) => procs.add(p.pid, 'SIGINT', p.pidFile));
  const szDir = path.join(root, 'sz-a');
  await cloneStandby(szDir, p1, p3);
  procs.add(await startPostgres(szDir, p3, path.join(root, 'sz-a.log')), 'SIGINT', path.join(szDir, 'postmaster.pid'));
  members = [
    ...pair.map(({ binDir: _b, ...m }) => m),
    { name: 'pg-sz-a', dc: 'sz-a', host: '127.0.0.1', port: p3, user: 'postgres', dataDir: szDir, osUser: PG_OS_USER },
  ];
}, 120_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

const member = (name: string): PgMember => members.find((m) => m.name === name) ?? (members[0] as PgMember);
async function sql(name: string, text: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({
    host: '127.0.0.1',
    port: member(name).port,
    user: 'postgres',
    database: 'postgres',
    password: () => '',
    connectionTimeoutMillis: 3000,
  });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

/** Everything observe/plan could change by mistake: settings, role, timeline, replay pause, replication peers. */
async function snapshot(): Promise<unknown[]> {
  return Promise.all(
    members.map(async (m) => ({
      settings: await sql(m.name, 'select name, setting from pg_settings order by name'),
      state: await sql(
        m.name,
        `select pg_is_in_recovery() as rec, (select timeline_id from pg_control_checkpoint()) as tli,
      case when pg_is_in_recovery() then pg_is_wal_replay_paused() end as paused`,
      ),
      peers: await sql(m.name, 'select application_name, state from pg_stat_replication order by application_name'),
    })),
  );
}

const lagsZero = async (p: DbPrimaryParams): Promise<boolean> =>
  Object.values((await kind.observe(p, makeKindContext())).lagBytes).every((l) => l === 0);

describe('db.primary chooses and reports', () => {
  const all = (over: Partial<DbPrimaryParams> = {}): DbPrimaryParams => ({ members, expectDcs: ['sh-a', 'sz-a'], promote: true, ...over });

  it("finds its tools from the data folder's version, without binDir", async () => {
    expect(await toolPath(member('pg-hz-a'), 'pg_rewind')).toBe(path.join(pgBinDir(), 'pg_rewind'));
    const odd = path.join(tmpDir, 'v999');
    await mkdir(odd);
    await writeFile(path.join(odd, 'PG_VERSION'), '999\n');
    expect(await toolPath({ name: 'x', dc: 'x', dataDir: odd }, 'pg_rewind')).toBe('pg_rewind');
  });

  it('observe and plan change nothing (settings, roles, timelines, replay, replication)', async () => {
    const before = await snapshot();
    const ctx = makeKindContext();
    const s = await kind.observe(all(), ctx);
    kind.decide(all(), s);
    kind.describe(all(), s, undefined);
    await kind.observe(all(), ctx);
    expect(await snapshot()).toEqual(before);
  });

  it('promote: true picks the most caught-up standby in expectDcs', async () => {
    for (const [paused, best] of [
      ['pg-sz-a', 'pg-sh-a'],
      ['pg-sh-a', 'pg-sz-a'],
    ] as const) {
      await sql(paused, 'select pg_wal_replay_pause()');
      try {
        await sql('pg-hz-a', 'create table if not exists t (v int); insert into t select generate_series(1, 1000)');
        await waitFor(async () => {
          const s = await kind.observe(all(), makeKindContext());
          return s.lagBytes[best] === 0 && (s.lagBytes[paused] ?? 0) > 0;
        }, `${best} caught up and ${paused} behind`);
        const d = kind.decide(all(), await kind.observe(all(), makeKindContext()));
        expect(d.action === 'change' && d.desired.primary).toBe(best);
      } finally {
        await sql(paused, 'select pg_wal_replay_resume()');
      }
    }
  });

  it('promote naming an unknown member at run time (an interpolated param) fails clearly, not retryable', async () => {
    const p = all({ promote: 'pg-xx' });
    const s = await kind.observe(p, makeKindContext());
    const e = (() => {
      try {
        return kind.decide(p, s);
      } catch (x) {
        return x;
      }
    })();
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect((e as Error).message).toBe('db.primary: promote names "pg-xx", which is not a member (pg-hz-a, pg-sh-a, pg-sz-a)');
  });

  it("waiting for the database's own election records the election time and the lag", async () => {
    const pair = members.filter((m) => m.name !== 'pg-sz-a');
    const p: DbPrimaryParams = { members: pair, expectDcs: ['sh-a'] };
    await waitFor(() => lagsZero(p), 'the standby to catch up');
    const ctx = makeKindContext({ timeoutMs: 60_000 });
    const before = await kind.observe(p, ctx);
    const d = kind.decide(p, before);
    if (d.action !== 'change') throw new Error('expected a change');
    await kind.apply(p, { current: before, desired: d.desired }, ctx);
    expect(ctx.notes['electionMs']).toBeUndefined();
    // the database's own election: the old primary goes, the standby is promoted (as Patroni would)
    await mustRun(asUser(PG_OS_USER, [path.join(pgBinDir(), 'pg_ctl'), '-D', member('pg-hz-a').dataDir ?? '', '-m', 'fast', '-w', 'stop']));
    await sql('pg-sh-a', 'select pg_promote(true, 60)');
    const after = await pollHolds(kind, p, d.desired, ctx, 100, 'verify');
    expect(after.primary).toBe('pg-sh-a');
    expect(ctx.notes['electionMs']).toBeGreaterThan(0);
    expect(ctx.notes['lagBytes']).toBe(0);
    // and back: pg-hz-a rewound, caught up, switched over to
    const back = await rollbackTo(kind, p, before, makeKindContext({ timeoutMs: 60_000 }));
    expect(back.primary).toBe('pg-hz-a');
  });
});
