import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/util/deadline.js';
import { realClock } from '../../../src/util/clock.js';
import { MAX_TIMER_MS, timerDelay } from '../../../src/util/duration.js';

describe('timers never overflow (a delay above 2^31-1 ms would fire after 1 ms)', () => {
  it('timerDelay keeps a delay within what setTimeout can hold', () => {
    expect(timerDelay(30_000)).toBe(30_000);
    expect(timerDelay(2 ** 40)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(timerDelay(-5)).toBe(0);
  });

  // Node fires timers in the order they are due: an overflowed timer (due after 1 ms) would fire before a
  // 20 ms one set after it, however slow the machine. The later timer firing is the event that proves it.
  it('a step deadline of 700h has not fired when a 20 ms timer set after it fires (an overflowed one fires after 1 ms)', async () => {
    const deadline = new Deadline(new AbortController().signal, 700 * 3_600_000);
    try {
      await sleep(20);
      expect(deadline.signal.aborted).toBe(false);
    } finally {
      deadline.dispose();
    }
  });

  it('a sleep of 800h is still sleeping when a 20 ms timer set after it fires, and its signal still ends it', async () => {
    const stop = new AbortController();
    let settled = false;
    const slept = realClock.sleep(800 * 3_600_000, stop.signal).finally(() => (settled = true));
    let fired = false;
    const cancel = realClock.timer(900 * 3_600_000, () => (fired = true));
    await sleep(20);
    expect(fired).toBe(false);
    cancel();
    expect(settled).toBe(false);
    stop.abort(new Error('stopped'));
    await expect(slept).rejects.toThrow('stopped');
  });
});
