import { describe, expect, it } from 'vitest';
import { waitForCatchUp } from '../../../src/rules/catch-up.js';
import type { Clock } from '../../../src/util/clock.js';
import { HOLDS, notYet } from '../../../src/model/kind.js';

/** A clock whose sleeps return at once and are recorded (what a waiter would have waited). */
function recordingClock(): Clock & { slept: number[] } {
  let mono = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => 1_700_000_000_000 + mono,
    monotonic: () => mono,
    sleep: (ms) => {
      slept.push(ms);
      mono += ms;
      return Promise.resolve();
    },
    timer: () => () => undefined,
  };
}

describe('rules catch-up sampling', () => {
  it('checks again 10 ms after a miss, doubling: a catch-up done after the third check waits 30 ms, not two intervals', async () => {
    const clock = recordingClock();
    let checks = 0;
    const catchUp = () => Promise.resolve(++checks >= 3 ? HOLDS : notYet('standby behind'));
    await waitForCatchUp({ catchUp, catchUpIntervalMs: 500, catchUpTimeoutMs: 30_000 }, clock, new AbortController().signal, 1);
    expect(checks).toBe(3);
    expect(clock.slept).toEqual([10, 20]);
  });
});
