import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitKind } from '../../../src/kinds/wait.js';
import type { Clock } from '../../../src/util/clock.js';
import { realClock } from '../../../src/util/clock.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';

// wait.until with the in-process redis probe, against a real redis-server.
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis.stop());

/** The real clock, whose sleeps are recorded and return at once (the pauses the wait chose). */
function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { ...realClock, slept, sleep: (ms) => (slept.push(ms), Promise.resolve()) };
}

describe('wait.until', () => {
  it('a redis probe: observe tells holds / not yet from the reply', async () => {
    const ctx = makeKindContext();
    const until = { redis: { addr: `127.0.0.1:${redis.port}`, command: ['EXISTS', 'w:flag'] }, expect: { equals: 1 } };
    const before = await waitKind.observe({ until }, ctx);
    expect(before.holds).toBe(false);
    expect(before.detail).toMatch(/EXISTS reply is 0, want 1/);
    expect(waitKind.decide({ until }, before).action).toBe('change');
  });

  it('samples at the rate the answer can change: 10 ms after a miss, doubling, not the 10 min interval', async () => {
    // each sample increments the counter: the condition holds at the third sample
    const until = {
      redis: { addr: `127.0.0.1:${redis.port}`, command: ['INCR', 'w:count'] },
      expect: { range: [3, 1e9] as [number, number] },
    };
    const clock = recordingClock();
    const ctx = { ...makeKindContext(), clock };
    await waitKind.apply(
      { until, interval: '10m' },
      { current: { holds: false, detail: '' }, desired: { holds: true, detail: 'holds' } },
      ctx,
    );
    expect(clock.slept).toEqual([10, 20]);
    expect(waitKind.holds({ until }, { holds: true, detail: '' }, await waitKind.observe({ until }, ctx)).ok).toBe(true);
  });

  it("tells each sample that did not hold (ctx.miss): a step timeout carries the last answer's detail", async () => {
    const until = {
      redis: { addr: `127.0.0.1:${redis.port}`, command: ['INCR', 'w:missed'] },
      expect: { range: [3, 1e9] as [number, number] },
    };
    const missed: string[] = [];
    const ctx = { ...makeKindContext(), clock: recordingClock(), miss: (d: string) => void missed.push(d) };
    await waitKind.apply({ until }, { current: { holds: false, detail: '' }, desired: { holds: true, detail: 'holds' } }, ctx);
    expect(missed).toHaveLength(2);
    expect(missed[1]).toMatch(/INCR reply is 2/);
  });
});
