import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCli } from '../../../src/lab/redis.js';
import { waitForDetection } from '../../../src/rehearsal/detect.js';
import type { Probe } from '../../../src/runbook/types.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';

// Detection woken by the estate (a redis probe with `subscribe`: Sentinel's +switch-master) rather than
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
      type: 'redis', name: 'elected',
      redis: { addr: `127.0.0.1:${redis.port}`, command: ['GET', 'elected'], subscribe: '+switch-master' },
      expect: { equals: 'sh-a' }, timeoutMs: 2000, intervalMs: 600_000,
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
