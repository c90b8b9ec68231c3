import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeOnce } from '../../../src/probe/run-once.js';
import { runProbeUntilStable } from '../../../src/probe/stable.js';
import { watchProbes, type Breach } from '../../../src/probe/watch.js';
import { initPrimary, preparePgRoot, startPostgres } from '../../../src/lab/postgres.js';
import type { Probe } from '../../../src/runbook/types.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const redisProbe = (port: number, extra: Partial<Probe> = {}, command: readonly string[] = ['ROLE'], equals: unknown = 'master'): Probe =>
  ({
    type: 'redis',
    name: `redis ${port}`,
    redis: { addr: `127.0.0.1:${port}`, command },
    expect: { path: '[0]', equals },
    timeoutMs: 2000,
    intervalMs: 20,
    ...extra,
  }) as Probe;
// against a frozen server only: the time limit then decides nothing but how fast the test runs
const FROZEN_TIMEOUT = { timeoutMs: 300 } as Partial<Probe>;

describe('redis probes against a real redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    try {
      process.kill(redis.pid, 'SIGCONT');
    } catch {
      // gone
    }
    await redis.stop();
  });

  it('ok / failure (wrong answer) / error (nobody there) are told apart', async () => {
    const ctx = makeKindContext();
    expect(await runProbeOnce(redisProbe(redis.port), ctx)).toEqual({ kind: 'ok', detail: 'ROLE → ["master",0,[]]' });
    expect(await runProbeOnce(redisProbe(redis.port, {}, ['ROLE'], 'slave'), ctx)).toEqual({
      kind: 'failure',
      detail: `redis 127.0.0.1:${redis.port} ROLE: ROLE reply [0] is "master", want "slave"`,
    });
    expect((await runProbeOnce(redisProbe(redis.port, {}, ['NOSUCHCMD']), ctx)).kind).toBe('failure');
    const closed = await freePort();
    expect(await runProbeOnce(redisProbe(closed), ctx)).toMatchObject({ kind: 'error', detail: expect.stringContaining('ECONNREFUSED') });
    const interpolated = await runProbeOnce(
      { ...redisProbe(0), redis: { addr: '${addr}', command: ['GET', 'k'] }, expect: { equals: null } } as Probe,
      ctx,
      (v) => JSON.parse(JSON.stringify(v).replace('${addr}', `127.0.0.1:${redis.port}`)),
    );
    expect(interpolated.kind).toBe('ok');
  });

  it('needs successThreshold consecutive successes; stops at failureThreshold consecutive failures', async () => {
    const ctx = makeKindContext();
    const ok = await runProbeUntilStable(redisProbe(redis.port, { successThreshold: 3 }), ctx);
    expect(ok.ok).toBe(true);
    expect(ok.samples.map((s) => s.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(ok.detail).toBe('ROLE → ["master",0,[]] (3 consecutive)');
    const bad = await runProbeUntilStable(redisProbe(redis.port, { failureThreshold: 2 }, ['ROLE'], 'slave'), ctx);
    expect(bad).toMatchObject({ ok: false, detail: expect.stringMatching(/^failed: .*want "slave" \(2 consecutive\)$/) });
    expect(bad.samples).toHaveLength(2);
  });

  it('a frozen server is an error (timeout); errorCountsAsFailure: false keeps polling until the deadline', async () => {
    process.kill(redis.pid, 'SIGSTOP');
    try {
      await waitFor(
        async () => (await runProbeOnce(redisProbe(redis.port, FROZEN_TIMEOUT), makeKindContext())).kind === 'error',
        'frozen redis to time out',
      );
      const counted = await runProbeUntilStable(redisProbe(redis.port, FROZEN_TIMEOUT), makeKindContext());
      expect(counted).toMatchObject({ ok: false, detail: expect.stringMatching(/^error: redis .* ROLE: /) });
      const lenient = await runProbeUntilStable(
        redisProbe(redis.port, { ...FROZEN_TIMEOUT, errorCountsAsFailure: false }),
        makeKindContext(),
        { deadlineMs: 3000 },
      );
      expect(lenient.ok).toBe(false);
      expect(lenient.detail).toMatch(/^not stable within 3000ms/);
      expect(lenient.samples.length).toBeGreaterThan(1);
      expect(lenient.samples.every((s) => s.outcome === 'error')).toBe(true);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    // recovery: polling (stopOnFailure false) returns as soon as it is stable again
    const back = await runProbeUntilStable(redisProbe(redis.port, { successThreshold: 2 }), makeKindContext(), {
      stopOnFailure: false,
      deadlineMs: 10_000,
    });
    expect(back.ok).toBe(true);
  });

  it('watchProbes reports a breach once, in the background, and stops on demand', async () => {
    const breaches: Breach[] = [];
    const ctx = makeKindContext();
    const stop = watchProbes([redisProbe(redis.port, { name: 'still master', failureThreshold: 2 } as Partial<Probe>)], ctx, (b) =>
      breaches.push(b),
    );
    try {
      await waitFor(async () => (await runProbeOnce(redisProbe(redis.port), ctx)).kind === 'ok', 'redis answers');
      expect(breaches).toEqual([]);
      const role = await import('ioredis').then(async ({ Redis }) => {
        const c = new Redis({ port: redis.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        await c.connect();
        return c;
      });
      const other = await startRedis();
      try {
        await role.call('REPLICAOF', '127.0.0.1', String(other.port));
        await waitFor(() => breaches.length > 0, 'a breach');
        expect(breaches[0]).toMatchObject({
          name: 'still master',
          failures: 2,
          detail: expect.stringContaining('is "slave", want "master"'),
        });
        await role.call('REPLICAOF', 'NO', 'ONE');
      } finally {
        role.disconnect();
        await other.stop();
      }
    } finally {
      await stop();
    }
    expect(breaches).toHaveLength(1);
  });

  it('watchProbes samples each probe at its own interval (the schema\'s "each at its interval")', async () => {
    // a clock that records every pause the watch asks for (and pauses for real, briefly)
    const pauses: number[] = [];
    const base = makeKindContext();
    const ctx = {
      ...base,
      clock: { ...base.clock, sleep: (ms: number, signal?: AbortSignal) => (pauses.push(ms), base.clock.sleep(5, signal)) },
    };
    const fast = redisProbe(redis.port, { name: 'fast', intervalMs: 37 } as Partial<Probe>);
    const slow = redisProbe(redis.port, { name: 'slow', intervalMs: 1234 } as Partial<Probe>);
    const stop = watchProbes([fast, slow], ctx, () => undefined);
    try {
      await waitFor(() => pauses.filter((ms) => ms === 37).length >= 3 && pauses.includes(1234), 'both probes to pause at their intervals');
    } finally {
      await stop();
    }
    expect(new Set(pauses)).toEqual(new Set([37, 1234]));
  });

  it('stop() ends a watch whose samples hang on a frozen server', async () => {
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const stop = watchProbes(
        [redisProbe(redis.port, { timeoutMs: 60_000, errorCountsAsFailure: false, intervalMs: 10 } as Partial<Probe>)],
        makeKindContext(),
        () => undefined,
      );
      await stop();
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
  });
});

describe('sql probes against a real postgres', () => {
  const procs = processTracker();
  let cleanup: () => Promise<void> = async () => undefined;
  let port = 0;
  beforeAll(async () => {
    const tmp = await makeTmpDir('drctl-sql-probe-');
    cleanup = tmp.cleanup;
    const root = path.join(tmp.dir, 'pg');
    await preparePgRoot(root);
    port = await freePort();
    const dataDir = path.join(root, 'data');
    await initPrimary(dataDir, port, root);
    procs.add(await startPostgres(dataDir, port, path.join(root, 'pg.log')), 'SIGINT', path.join(dataDir, 'postmaster.pid'));
  }, 90_000);
  afterAll(async () => {
    await procs.stopAll();
    await cleanup();
  });
  const sqlProbe = (query: string, expect: object, p = port): Probe =>
    ({ type: 'sql', name: 'pg', sql: { host: '127.0.0.1', port: p, user: 'postgres', query }, expect, timeoutMs: 2000 }) as Probe;

  it('checks the first cell, rows by path, and tells a SQL error (failure) from no server (error)', async () => {
    const ctx = makeKindContext();
    expect(await runProbeOnce(sqlProbe('select pg_is_in_recovery()', { equals: false }), ctx)).toMatchObject({ kind: 'ok' });
    expect(await runProbeOnce(sqlProbe("select 'primary' as role, 3 as n", { path: '[0].n', range: [1, 5] }), ctx)).toMatchObject({
      kind: 'ok',
    });
    expect(await runProbeOnce(sqlProbe('select 7', { range: [0, 5] }), ctx)).toEqual({
      kind: 'failure',
      detail: `sql postgres@127.0.0.1:${port}: result is 7, want [0, 5]`,
    });
    expect(await runProbeOnce(sqlProbe('select nope', {}), ctx)).toMatchObject({
      kind: 'failure',
      detail: expect.stringContaining('column "nope" does not exist'),
    });
    expect(await runProbeOnce(sqlProbe('select 1', {}, await freePort()), ctx)).toMatchObject({
      kind: 'error',
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('sends args as bind values: a value with a quote is data, never part of the query', async () => {
    const ctx = makeKindContext();
    const probe = (args: unknown[]): Probe =>
      ({
        type: 'sql',
        name: 'pg',
        sql: { host: '127.0.0.1', port, user: 'postgres', query: "select case when $1::boolean then 'yes' else 'no' end", args },
        expect: { equals: 'yes' },
        timeoutMs: 2000,
      }) as Probe;
    expect(await runProbeOnce(probe(['true']), ctx)).toMatchObject({ kind: 'ok' });
    expect(await runProbeOnce(probe([true]), ctx)).toMatchObject({ kind: 'ok' });
    // pasted into the text this would have closed the literal and answered 'yes'; bound, it is one bad boolean
    const injected = await runProbeOnce(probe(["false'::boolean or true or 'x"]), ctx);
    expect(injected).toMatchObject({ kind: 'failure', detail: expect.stringContaining('invalid input syntax for type boolean') });
  });
});
