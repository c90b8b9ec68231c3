import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCli } from '../../../src/lab/redis.js';
import { runProbeUntilStable } from '../../../src/probe/stable.js';
import { waitForDetection } from '../../../src/rehearsal/detect.js';
import type { Probe } from '../../../src/runbook/types.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';

// Convergence sampled adaptively, and detection woken by the estate (a redis probe with `subscribe`: Sentinel's +switch-master) rather than
// polled: against a real redis-server, whose PUBLISH stands in for Sentinel's announcement.

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

/** GET calls the server has answered so far (INFO commandstats). */
async function gets(): Promise<number> {
  const line = (await redisCli(redis.port, ['INFO', 'commandstats'])).split('\n').find((l) => l.startsWith('cmdstat_get:'));
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

describe('detection probes that subscribe', () => {
  it('a message samples the probe at once: detected although its poll interval is 10 minutes, and named as notified', async () => {
    const probe = {
      type: 'redis',
      name: 'elected',
      redis: { addr: `127.0.0.1:${redis.port}`, command: ['GET', 'elected'], subscribe: '+switch-master' },
      expect: { equals: 'sh-a' },
      timeoutMs: 2000,
      intervalMs: 600_000,
    } as Probe;
    const before = await gets();
    // the detection's deadline (60 s) would end it long before a second poll: only the message can wake it
    const seen = waitForDetection([probe], makeKindContext({ timeoutMs: 120_000 }), 60_000, (v) => v);
    await waitFor(async () => (await gets()) > before, 'the first sample (subscribed before it)');
    await redisCli(redis.port, ['SET', 'elected', 'sh-a']);
    await redisCli(redis.port, ['PUBLISH', '+switch-master', 'cache-a 127.0.0.1 27100 127.0.0.1 27101']);
    const d = await seen;
    expect(d).toMatchObject({ probe: 'elected', notified: ['elected'] });
  });
});

describe('convergence sampled at the rate it can change (adaptive)', () => {
  it('after a sample that did not hold, the next comes within milliseconds, not a whole interval; held = the first sample of the confirming run', async () => {
    await redisCli(redis.port, ['DEL', 'served']);
    const probe = {
      type: 'redis',
      name: 'served',
      redis: { addr: `127.0.0.1:${redis.port}`, command: ['GET', 'served'] },
      expect: { equals: 'sh-a' },
      timeoutMs: 2000,
      intervalMs: 600_000,
      successThreshold: 1,
    } as Probe;
    const before = await gets();
    // an interval of 10 minutes and a deadline of 60 s: only the adaptive pauses (10 ms, doubling) can see it in time
    const ctx = makeKindContext({ timeoutMs: 120_000 });
    const r = runProbeUntilStable(probe, ctx, { deadlineMs: 60_000, stopOnFailure: false, adaptive: true });
    await waitFor(async () => (await gets()) > before, 'the first sample');
    await redisCli(redis.port, ['SET', 'served', 'sh-a']);
    const done = await r;
    expect(done.ok).toBe(true);
    expect(done.samples.length).toBeGreaterThan(1);
    expect(done.heldSince).toBeGreaterThan(0);
  });
});
