import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestEtcd, type TestEtcd } from '../helpers/etcd-cluster.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { CHAIN_CHANGES, durableWorkspace, type DurableWorkspace } from './durable-kit.js';

let ws: DurableWorkspace | undefined;
let redis: TestRedis | undefined;
let etcd: TestEtcd | undefined;
beforeAll(async () => {
  [redis, etcd] = await Promise.all([startRedis(), startTestEtcd(3)]);
});
afterAll(async () => Promise.all([redis?.stop(), etcd?.stop()]));
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

let n = 0;
// the lease of the takeover test: short, but no shorter than the store accepts (etcd: 5 s)
const stores: [string, () => string | undefined, string][] = [
  ['file store', () => undefined, '1s'],
  ['redis store', () => `${redis?.url ?? ''}/0?prefix=lock-test-${++n}:`, '1s'],
  ['etcd store', () => etcd?.url(`lock-test-${++n}`), '5s'],
];

describe.each(stores)('the lock (%s)', (_name, stateOf, shortLease) => {
  it('of three concurrent runs exactly one proceeds; the others exit 6 (lock held) naming the holder', async () => {
    ws = await durableWorkspace(stateOf());
    await ws.hold('a.before');
    const runs = [0, 1, 2].map(() => ws?.start(['run', 'chain.yaml', '--yes']));
    await ws.reached('a.before');
    await waitFor(() => runs.filter((c) => c?.exitCode !== null).length === 2, 'the two refused runs to exit');
    const winner = runs.find((c) => c?.exitCode === null);
    for (const loser of runs.filter((c) => c !== winner)) {
      const r = await loser;
      expect(r?.exitCode).toBe(6);
      expect(String(r?.stderr)).toMatch(
        new RegExp(`another run holds the lock "durable-chain": run \\S+ \\(run\\) by \\S+@\\S+ pid ${winner?.pid} since \\S+`),
      );
    }
    // the same for resume and rollback of the held run, and under --json the holder is data
    const runId = await ws.onlyRunId();
    for (const args of [
      ['resume', runId, '--yes'],
      ['rollback', runId, '--yes'],
      ['drill', 'chain.yaml', '--yes', '--json'],
    ]) {
      const r = await ws.run(args);
      expect(r.exitCode, `${args[0]}: ${r.stderr}`).toBe(6);
      if (args.includes('--json')) {
        // still NDJSON: the version line, then the error as one line of its own
        const lines = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(lines.map((l) => l.type)).toEqual(['version', 'error']);
        expect(lines[1]).toMatchObject({
          ok: false,
          error: { code: 'lock-held', details: { scope: 'durable-chain', holder: { runId, pid: winner?.pid, token: 1 } } },
        });
      } else {
        expect(r.stderr).toContain(`another run holds the lock "durable-chain": run ${runId} (run)`);
      }
    }
    await ws.release('a.before');
    expect((await winner)?.exitCode).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it('a stale lease is taken over (lock first, journal read after), and the old holder is fenced out while the new one holds the lock', async () => {
    ws = await durableWorkspace(stateOf());
    await ws.hold('b.before');
    const old = ws.start(['run', 'chain.yaml', '--yes', '--lease', shortLease]);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    const pid = old.pid ?? 0;
    await ws.freezeOutsideMutex(pid);
    let taker: ReturnType<DurableWorkspace['start']> | undefined;
    try {
      // stale; or gone, where the store itself ends the lock with its lease (etcd)
      const stale = async () => {
        const locks = JSON.parse((await ws?.run(['status', '--json']))?.stdout ?? '{}').result?.locks as { stale?: boolean }[] | undefined;
        return locks !== undefined && (locks[0]?.stale === true || locks.length === 0);
      };
      await waitFor(stale, "the stopped holder's lease to expire", 20_000);
      // the taker takes the lock and stops right there, before reading the journal
      await ws.hold('resume.locked');
      taker = ws.start(['resume', runId, '--yes']);
      await waitFor(
        () =>
          readFile(path.join(ws?.dir ?? '', 'at.resume.locked'), 'utf8').then(
            () => true,
            () => false,
          ),
        'the taker to hold the lock',
        30_000,
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await ws.release('b.before'); // the old holder's in-flight apply lands; its outcome is a late write
    const late = await old;
    expect(late.exitCode).toBe(1);
    expect(String(late.stderr)).toMatch(
      /fenced out: the lock "durable-chain" now belongs to run \S+ \(\S+ pid \d+, token 2\); this controller's token 1 is no longer valid/,
    );
    expect(String(late.stderr)).not.toMatch(/\n\s+at /);
    await ws.release('resume.locked');
    const took = await taker;
    expect(took?.exitCode, String(took?.stderr)).toBe(0);
    expect(String(took?.stderr)).toMatch(/took over the lock "durable-chain" from run \S+ \(\S+ pid \d+\): its lease expired/);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    const records = await ws.journal(runId);
    expect(records.map((r) => r['seq'])).toEqual(records.map((_, i) => i + 1));
    const takeover = records.findIndex((r) => r['type'] === 'lock.acquired' && r['fence'] === 2);
    expect(takeover).toBeGreaterThan(0);
    expect(records.slice(takeover).every((r) => r['fence'] === 2)).toBe(true);
    expect(records.filter((r) => r['type'] === 'step.recovered').map((r) => r['stepId'])).toEqual(['b']);
  });

  it('unlock --force removes a held lock, says what it removed, records it, and fences the holder out', async () => {
    ws = await durableWorkspace(stateOf());
    await ws.hold('a.before');
    const holder = ws.start(['run', 'chain.yaml', '--yes']);
    await ws.reached('a.before');
    const runId = await ws.onlyRunId();
    const refused = await ws.run(['unlock', 'durable-chain']);
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(`the lock "durable-chain" is held: run ${runId} (run)`);
    const r = await ws.run(['unlock', 'durable-chain', '--force']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`removed lock "durable-chain": run ${runId} \\(run\\) by \\S+ pid ${holder.pid} since \\S+, lease until \\S+, token 1`),
    );
    await ws.release('a.before');
    const h = await holder;
    expect(h.exitCode).toBe(1);
    expect(String(h.stderr)).toContain('fenced out: the lock "durable-chain" is no longer held by this controller');
    expect(await ws.changes()).toEqual(['db.primary=sh-a']); // the in-flight apply landed; nothing after it
    const records = await ws.journal(runId);
    expect(records.filter((x) => x['type'] === 'lock.force-released')).toHaveLength(1);
    if (!ws.state.includes('://')) {
      const audit = (await readFile(path.join(ws.state, 'audit.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(audit).toMatchObject([{ action: 'unlock.forced', scope: 'durable-chain', removed: { runId, token: 1 } }]);
    }
    const resumed = await ws.run(['resume', runId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it("unlock --force during a drill's fail-back: the fenced-out controller rolls back nothing more", async () => {
    ws = await durableWorkspace(stateOf());
    await ws.hold('c.undone');
    const drill = ws.start(['drill', 'chain.yaml', '--yes']);
    await ws.reached('c.undone');
    await ws.hold('b.observe'); // the observe before b's rollback: no journal record comes between it and the action
    await ws.clearMarkers();
    await ws.release('c.undone');
    await ws.reached('b.observe');
    const r = await ws.run(['unlock', 'durable-chain', '--force']);
    expect(r.exitCode, r.stderr).toBe(0);
    await ws.release('b.observe');
    const d = await drill;
    expect(d.exitCode).toBe(1);
    expect(String(d.stderr)).toContain('fenced out: the lock "durable-chain" is no longer held by this controller');
    expect(await ws.changes()).toEqual([...CHAIN_CHANGES, 'lb.active=hz-a']); // c was undone before the unlock; b and a were not
  });
});
