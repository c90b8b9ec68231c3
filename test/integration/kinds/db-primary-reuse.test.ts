import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbPrimaryKind as kind, type DbPrimaryParams } from '../../../src/kinds/db-primary/index.js';
import { startPgPair } from '../../../src/lab/pg-pair.js';
import { preparePgRoot } from '../../../src/lab/postgres.js';
import { readPidFile } from '../../../src/lab/process.js';
import type { LabPgMember } from '../../../src/lab/types.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

// One step attempt reuses the connection it opened to a member (observe → apply → verify): proven on the
// servers' own side, from their connection log (log_connections), not by timing.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let members: LabPgMember[] = [];

async function sql(port: number, text: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', application_name: 'test' });
  await c.connect();
  try {
    return (await c.query(text)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-pg-reuse-');
  cleanup = tmp.cleanup;
  const [p1, p2] = [await freePort(), await freePort()];
  await preparePgRoot(path.join(tmp.dir, 'pg'));
  members = await startPgPair(path.join(tmp.dir, 'pg'), p1, p2, async (p) => procs.add(p.pid, 'SIGINT', p.pidFile));
  for (const m of members) {
    await sql(m.port, 'alter system set log_connections = on');
    await sql(m.port, 'select pg_reload_conf()');
    // a new backend sees the reloaded setting once the postmaster has read it
    await waitFor(async () => (await sql(m.port, 'show log_connections'))[0]?.['log_connections'] === 'on', `log_connections on ${m.name}`);
  }
}, 90_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

const params = (over: Partial<DbPrimaryParams> = {}): DbPrimaryParams => ({
  members: members.map(({ binDir: _b, ...m }) => m),
  expectDcs: ['sh-a'],
  promote: 'pg-sh-a',
  ...over,
});

// A member logs to the lab's log file, or (once drctl restarted it) to <dataDir>.log.
const logsOf = (m: LabPgMember): string[] => [m.logFile, `${m.dataDir}.log`];
const sizeOf = async (f: string): Promise<number> => (await stat(f).catch(() => ({ size: 0 }))).size;
const marks = async (m: LabPgMember): Promise<number[]> => Promise.all(logsOf(m).map(sizeOf));

/** drctl's connections to the member since `from` (log sizes), as the server logged them. */
async function drctlConnectionsSince(m: LabPgMember, from: number[]): Promise<number> {
  let n = 0;
  for (const [i, f] of logsOf(m).entries()) {
    const text = await readFile(f).catch(() => Buffer.alloc(0));
    n += (
      text
        .subarray(from[i] ?? 0)
        .toString('utf8')
        .match(/connection authorized: .*application_name=drctl$/gm) ?? []
    ).length;
  }
  return n;
}

/** The processes whose parent is `pid` (a postmaster's backends and workers: each leads its own group). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(d));
  }
  return out;
}

const drctlBackends = async (m: LabPgMember): Promise<number> =>
  Number((await sql(m.port, "select count(*)::int as n from pg_stat_activity where application_name = 'drctl'"))[0]?.['n']);

const nothingLeftConnected = async (): Promise<void> => {
  // the idle window (5 s) and the close: a generous deadline on a busy machine, met as soon as they are gone
  for (const m of members) await waitFor(async () => (await drctlBackends(m)) === 0, `no drctl connection left on ${m.name}`, 30_000);
};

describe('db.primary: one step attempt, one connection per live member', () => {
  it('a switchover opens two connections to the target (observe, promotion) and one to the old primary per run of its server; none stay', async () => {
    const [hz, sh] = members as [LabPgMember, LabPgMember];
    await nothingLeftConnected();
    const [hzFrom, shFrom] = [await marks(hz), await marks(sh)];
    // observe, lag proof, fence, promote, CHECKPOINT, rejoin, verify's polls, observe again: one attempt's context
    const r = await runStepLife(kind, params(), { timeoutMs: 60_000, skipRollback: true });
    expect(r.after).toMatchObject({ primary: 'pg-sh-a', primaries: ['pg-sh-a'] });
    expect(r.after?.members.find((m) => m.name === 'pg-hz-a')?.role).toBe('standby');
    // one for observe, the lag proof, CHECKPOINT, verify's polls and the observe after; pg_promote on its own
    // new connection (the postmaster must answer it: an open backend answers while the postmaster is frozen);
    // one more if the fence, pg_rewind and restart outlast the idle window (IDLE_MS) on a busy machine.
    // Without reuse: one per call (observe, each lag poll, promote, CHECKPOINT, each verify poll, again): 6 or more
    expect(await drctlConnectionsSince(sh, shFrom)).toBeGreaterThanOrEqual(2);
    expect(await drctlConnectionsSince(sh, shFrom)).toBeLessThanOrEqual(3);
    // pg-hz-a was fenced and restarted by the step: the connection from before the fence is not reused after it
    expect(await drctlConnectionsSince(hz, hzFrom)).toBe(2);
    await nothingLeftConnected();

    // back as before, for the next test (fail-back: its own attempt)
    const back = await runStepLife(kind, params({ expectDcs: ['hz-a'], promote: 'pg-hz-a' }), { timeoutMs: 60_000, skipRollback: true });
    expect(back.after?.primary).toBe('pg-hz-a');
    await nothingLeftConnected();
  });

  it('a connection the server closed between phases: the next phase connects afresh and reads the member', async () => {
    const ctx = makeKindContext({ timeoutMs: 30_000 });
    const first = await kind.observe(params(), ctx);
    expect(first.primary).toBe('pg-hz-a');
    const [hz] = members as [LabPgMember];
    // the server ends drctl's open connection (what a restart or an admin does to it)
    await sql(hz.port, "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'drctl'");
    const second = await kind.observe(params(), ctx);
    expect(second.members.map((m) => [m.name, m.role])).toEqual([
      ['pg-hz-a', 'primary'],
      ['pg-sh-a', 'standby'],
    ]);
    await nothingLeftConnected();
  });

  it('a member frozen after it answered: the open connection times out, a fresh one finds it silent, as without reuse', async () => {
    const [hz] = members as [LabPgMember];
    const pid = await readPidFile(path.join(hz.dataDir, 'postmaster.pid'));
    if (pid === undefined) throw new Error('no postmaster pid');
    const p = params({ connectTimeout: '2s' });
    const ctx = makeKindContext({ timeoutMs: 30_000 });
    expect((await kind.observe(p, ctx)).primary).toBe('pg-hz-a');
    // every process of the server (a cut): the postmaster and its backends, drctl's open one among them
    const all = [pid, ...(await childrenOf(pid))];
    for (const x of all) process.kill(x, 'SIGSTOP');
    try {
      // the open connection's query read timeout is no server answer: redone on a fresh connection, whose
      // connect timeout is the silence observe reports (and leaves its probe for, as before)
      const s = await kind.observe(p, ctx);
      expect(s.members.find((m) => m.name === 'pg-hz-a')).toMatchObject({
        role: 'unreachable',
        detail: expect.stringMatching(/^postgres pg-hz-a \(127\.0\.0\.1:\d+\): unreachable \(timeout expired\)$/),
      });
      expect((await kind.observe(p, ctx)).members.find((m) => m.name === 'pg-hz-a')?.detail).toMatch(
        /: unreachable \(no answer for \d+ ms\)$/,
      );
    } finally {
      for (const x of all) process.kill(x, 'SIGCONT');
    }
    await nothingLeftConnected();
  });

  it('observe after observe in one attempt (verify polls): one connection per member', async () => {
    const [hz, sh] = members as [LabPgMember, LabPgMember];
    const [hzFrom, shFrom] = [await marks(hz), await marks(sh)];
    const ctx = makeKindContext();
    for (let i = 0; i < 5; i++) expect((await kind.observe(params(), ctx)).primary).toBe('pg-hz-a');
    expect(await drctlConnectionsSince(hz, hzFrom)).toBe(1);
    expect(await drctlConnectionsSince(sh, shFrom)).toBe(1);
    await nothingLeftConnected();
  });

  it('separate attempts do not share connections', async () => {
    const [hz] = members as [LabPgMember];
    const from = await marks(hz);
    await kind.observe(params(), makeKindContext());
    await kind.observe(params(), makeKindContext());
    expect(await drctlConnectionsSince(hz, from)).toBe(2);
    await nothingLeftConnected();
  });
});
