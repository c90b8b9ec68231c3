import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';
import { CHAIN_CHANGES, CHAIN_SWITCHED, durableWorkspace, type DurableWorkspace } from './durable-kit.js';
import { waitFor } from '../helpers/wait-for.js';
import { replicationInfo, sentinelView, startPersistentRedis, startSentinel } from './durable-redis-kit.js';

let ws: DurableWorkspace | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The run finished, each change made once, and its journal has every record (seq 1..n, no gap). */
async function expectFinishedWhole(
  w: DurableWorkspace,
  r: { exitCode?: number | null; stderr: unknown },
  runId: string,
): Promise<Record<string, unknown>[]> {
  expect(r.exitCode, String(r.stderr)).toBe(0);
  expect(await w.changes()).toEqual(CHAIN_CHANGES);
  const records = await w.journal(runId);
  expect(records.map((x) => x['seq'])).toEqual(records.map((_, i) => i + 1));
  return records;
}

async function persistentRedis() {
  const { dir, cleanup } = await makeTmpDir('drctl-redis-data-');
  const port = await freePort();
  let server = await startPersistentRedis(dir, port);
  cleanups.push(async () => {
    await server.stop();
    await cleanup();
  });
  return {
    port,
    stop: () => server.stop(),
    restart: async () => {
      server = await startPersistentRedis(dir, port);
    },
  };
}

describe('durable runs through the Redis state store', () => {
  it('a run cut off on one controller is seen and resumed by another process with the same --state URL', async () => {
    const redis = await persistentRedis();
    ws = await durableWorkspace(`redis://127.0.0.1:${redis.port}/0?prefix=ctl:`);
    await ws.hold('b.after');
    await ws.killAt(ws.start(['run', 'chain.yaml', '--yes']), 'b.after');
    await ws.release('b.after');
    const runId = await ws.onlyRunId();
    // the other controller: another folder, no local state; a dead endpoint listed first is skipped
    const deadPort = await freePort();
    const other = { state: `redis://127.0.0.1:${deadPort},127.0.0.1:${redis.port}/0?prefix=ctl:`, cwd: os.tmpdir() };
    const { drctl } = await import('../helpers/cli.js');
    const status = await drctl(['status', '--state', other.state], { cwd: other.cwd });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(`${runId} (run of durable-chain)`);
    // b was applied by the dead controller, its outcome not journaled: cut off mid-step
    expect(status.stdout).toMatch(/applied\s+a\n\s+cut-off\s+b\n\s+waiting\s+c/);
    expect(status.stdout).toMatch(
      /lock durable-chain: held by run \S+ \(run\) .* lease until \S+, token 1 — STALE \(holder process is gone\)/,
    );
    const resumed = await drctl(['resume', runId, '--yes', '--state', other.state], { cwd: other.cwd, env: ws.env });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    expect(await ws.estate()).toMatchObject(CHAIN_SWITCHED);
    const history = JSON.parse((await drctl(['history', '--json', '--state', other.state], { cwd: other.cwd })).stdout);
    expect(history.result.runs).toMatchObject([{ runId, status: 'succeeded' }]);
    const report = JSON.parse(
      (await drctl(['report', runId, '--format', 'json', '--state', other.state], { cwd: other.cwd })).stdout,
    ).result;
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual(['applied', 'applied', 'applied']);
  });

  it('Redis stopped mid-run: the run stops safely with a clear error, and resumes once Redis is back', async () => {
    const redis = await persistentRedis();
    ws = await durableWorkspace(`redis://127.0.0.1:${redis.port}/0?prefix=outage:`);
    await ws.hold('b.before');
    const run = ws.start(['run', 'chain.yaml', '--yes']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    await redis.stop();
    await ws.release('b.before'); // the running step finishes its change; its outcome cannot be journaled
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/error: state store unreachable: redis:\/\/127\.0\.0\.1:\d+\/0: /);
    expect(String(r.stderr)).toContain(`drctl resume ${runId}`);
    expect(String(r.stderr)).not.toMatch(/\n\s+at |internal error/);
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a']); // no new step started
    const down = await ws.run(['resume', runId, '--yes']);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain('state store unreachable');
    await redis.restart();
    const resumed = await ws.run(['resume', runId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    const records = await ws.journal(runId);
    expect(records.filter((x) => x['type'] === 'step.recovered').map((x) => x['stepId'])).toEqual(['b']);
  });

  it('redis+sentinel:// finds the primary through the Sentinels: runs, locks and history live there', async () => {
    const redis = await persistentRedis();
    const { dir, cleanup } = await makeTmpDir('drctl-sentinel-');
    const sentinelPort = await freePort();
    const sentinel = await startSentinel(dir, sentinelPort, redis.port);
    cleanups.push(async () => {
      await sentinel.stop();
      await cleanup();
    });
    const deadSentinel = await freePort();
    ws = await durableWorkspace(`redis+sentinel://127.0.0.1:${deadSentinel},127.0.0.1:${sentinelPort}/drctl-master?prefix=sent:`);
    const r = await ws.run(['run', 'chain.yaml', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
    const { drctl } = await import('../helpers/cli.js');
    const direct = JSON.parse((await drctl(['history', '--json', '--state', `redis://127.0.0.1:${redis.port}/0?prefix=sent:`])).stdout);
    expect(direct.result.runs).toMatchObject([{ runbook: 'durable-chain', status: 'succeeded' }]);
  });

  it('a short blip of the store (Redis restarted within the reconnect window) does not stop the run', async () => {
    const redis = await persistentRedis();
    ws = await durableWorkspace(`redis://127.0.0.1:${redis.port}/0?prefix=blip:&retry=30s`);
    await ws.hold('b.before');
    const run = ws.start(['run', 'chain.yaml', '--yes']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    await redis.stop();
    await redis.restart();
    await ws.release('b.before');
    const r = await run;
    await expectFinishedWhole(ws, r, runId);
  });

  it('a Sentinel failover of the state store mid-run: the run goes on with the promoted replica, its journal whole', async () => {
    const { dir, cleanup } = await makeTmpDir('drctl-failover-');
    const [p1, p2, sp] = [await freePort(), await freePort(), await freePort()];
    const primary = await startPersistentRedis(dir, p1);
    const replica = await startPersistentRedis(dir, p2, ['--replicaof', '127.0.0.1', String(p1)]);
    const sentinel = await startSentinel(dir, sp, p1, [
      'sentinel down-after-milliseconds drctl-master 500',
      'sentinel failover-timeout drctl-master 5000',
    ]);
    cleanups.push(async () => {
      await sentinel.stop();
      await replica.stop();
      await primary.stop();
      await cleanup();
    });
    await waitFor(async () => (await sentinelView(sp)).replicas === 1, 'the Sentinel to discover the replica', 30_000);
    ws = await durableWorkspace(`redis+sentinel://127.0.0.1:${sp}/drctl-master?prefix=fo:&retry=30s`);
    await ws.hold('b.before');
    const run = ws.start(['run', 'chain.yaml', '--yes']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    expect((await replicationInfo(p1))['connected_slaves']).toBe('1');
    await primary.stop(); // the primary's host dies
    await waitFor(async () => (await sentinelView(sp)).masterPort === p2, 'the Sentinel to promote the replica', 60_000);
    await ws.release('b.before');
    const r = await run;
    const records = await expectFinishedWhole(ws, r, runId);
    expect(records.filter((x) => x['type'] === 'step.intent').map((x) => x['stepId'])).toEqual(['a', 'b', 'c']);
    expect(records.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', fence: 1 });
    const history = JSON.parse((await ws.run(['history', '--json'])).stdout);
    expect(history.result.runs).toMatchObject([{ runId, status: 'succeeded' }]);
  });

  it('a replica that does not acknowledge a journal write (WAIT) stops the run safely: no step starts after it', async () => {
    const { dir, cleanup } = await makeTmpDir('drctl-wait-');
    const [p1, p2] = [await freePort(), await freePort()];
    const primary = await startPersistentRedis(dir, p1);
    const replica = await startPersistentRedis(dir, p2, ['--replicaof', '127.0.0.1', String(p1)]);
    cleanups.push(async () => {
      process.kill(replica.pid, 'SIGCONT');
      await replica.stop();
      await primary.stop();
      await cleanup();
    });
    await waitFor(async () => (await replicationInfo(p1))['slave0']?.includes('state=online'), 'the replica to be in sync');
    ws = await durableWorkspace(`redis://127.0.0.1:${p1}/0?prefix=wait:`);
    await ws.hold('b.before');
    const run = ws.start(['run', 'chain.yaml', '--yes']);
    await ws.reached('b.before');
    const runId = await ws.onlyRunId();
    process.kill(replica.pid, 'SIGSTOP'); // the replica hangs: still connected, acknowledges nothing
    await ws.release('b.before');
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(
      /state store unreachable: redis:\/\/127\.0\.0\.1:\d+\/0: the write was acknowledged by 0 of 1 replica\(s\) within 1000 ms: a failover now could lose it/,
    );
    expect(String(r.stderr)).toContain(`drctl resume ${runId}`);
    expect(await ws.changes()).toEqual(['db.primary=sh-a', 'cache.master=sh-a']); // c never started
    process.kill(replica.pid, 'SIGCONT');
    const resumed = await ws.run(['resume', runId, '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(await ws.changes()).toEqual(CHAIN_CHANGES);
  });
});
