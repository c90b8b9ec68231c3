import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { CHAIN_CHANGES, durableWorkspace, type DurableWorkspace } from './durable-kit.js';

let ws: DurableWorkspace | undefined;
let redis: TestRedis | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis?.stop());
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

let n = 0;
const stores: [string, () => string | undefined][] = [
  ['file store', () => undefined],
  ['redis store', () => `${redis?.url ?? ''}/0?prefix=lock-test-${++n}:`],
];

describe.each(stores)('the lock (%s)', (_name, stateOf) => {
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
      expect(String(r?.stderr)).toMatch(new RegExp(`another run holds the lock "durable-chain": run \\S+ \\(run\\) by \\S+@\\S+ pid ${winner?.pid} since \\S+`));
    }
    await ws.release('a.before');
    expect((await winner)?.exitCode).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });

  it('a stale lease is taken over, and the old holder is fenced out: its late writes are rejected and it applies nothing more', async () => {
    ws = await durableWorkspace(stateOf());
    await ws.hold('b.before');
    const old = ws.start(['run', 'chain.yaml', '--yes', '--lease', '1s']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    const pid = old.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    try {
      const stale = async () => JSON.parse((await ws?.run(['status', '--json']))?.stdout ?? '{}').result?.locks?.[0]?.stale === true;
      await waitFor(stale, 'the stopped holder\'s lease to expire', 20_000);
      await ws.release('b.before'); // its in-flight apply lands while it is stopped
      await waitFor(async () => (await ws?.changes())?.includes('cache.master=sh-a'), 'the in-flight apply to land');
      const taker = await ws.run(['resume', runId, '--yes']);
      expect(taker.exitCode, taker.stderr).toBe(0);
      expect(taker.stderr).toMatch(/took over the lock "durable-chain" from run \S+ \(\S+ pid \d+\): its lease expired/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const late = await old;
    expect(late.exitCode).toBe(1);
    // the taker has finished and released the lock by now; either way the old token is refused
    expect(String(late.stderr)).toMatch(/fenced out: the lock "durable-chain" (now belongs to run \S+ .*token 2\); this controller's token 1|is no longer held by this controller \(token 1\))/);
    expect(String(late.stderr)).not.toMatch(/\n\s+at /);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    const records = await ws.journal(runId);
    const takeover = records.findIndex((r) => r['type'] === 'lock.acquired' && r['fence'] === 2);
    expect(takeover).toBeGreaterThan(0);
    expect(records.slice(takeover).every((r) => r['fence'] === 2)).toBe(true);
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
    expect(r.stdout).toMatch(new RegExp(`removed lock "durable-chain": run ${runId} \\(run\\) by \\S+ pid ${holder.pid} since \\S+, lease until \\S+, token 1`));
    await ws.release('a.before');
    const h = await holder;
    expect(h.exitCode).toBe(1);
    expect(String(h.stderr)).toContain('fenced out: the lock "durable-chain" is no longer held by this controller');
    expect(await ws.changes()).toEqual(['db.primary=sh-a']); // the in-flight apply landed; nothing after it
    const records = await ws.journal(runId);
    expect(records.filter((x) => x['type'] === 'lock.force-released')).toHaveLength(1);
    if (!ws.state.includes('://')) {
      const audit = (await readFile(path.join(ws.state, 'audit.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(audit).toMatchObject([{ action: 'unlock.forced', scope: 'durable-chain', removed: { runId, token: 1 } }]);
    }
    const resumed = await ws.run(['resume', runId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });
});
