import { describe, expect, it } from 'vitest';
import type { LeverRecord } from '../../../src/model/safety.js';
import { isLeverStop, LEVER_POLL_MS, leverStopReason, watchLever } from '../../../src/rehearsal/lever-watch.js';
import { ManualClock, turnsUntil } from '../../helpers/manual-clock.js';

const LEVER: LeverRecord = { engaged: true, reason: 'storage maintenance', by: 'ops@h1', since: '2026-11-21T02:00:00.000Z' };

/** A lever read by the watcher: engaged once `engage()` is called; counts the reads; can fail on demand. */
function fakeLever() {
  const s = { reads: 0, engaged: false, failNext: false };
  const read = async (): Promise<LeverRecord | undefined> => {
    s.reads += 1;
    if (s.failNext) {
      s.failNext = false;
      throw new Error('store unreachable');
    }
    return s.engaged ? LEVER : undefined;
  };
  return { s, read };
}

describe('watchLever: a running rehearsal reads the safety lever', () => {
  it('reads it at once, then every LEVER_POLL_MS; the read after it is engaged calls back, once, and the watch ends', async () => {
    const clock = new ManualClock();
    const lever = fakeLever();
    const seen: LeverRecord[] = [];
    const stop = watchLever(lever.read, clock, (l) => seen.push(l));
    await turnsUntil(() => clock.pending === 1, 'the next read scheduled');
    expect(lever.s.reads).toBe(1);
    await clock.advance(LEVER_POLL_MS - 1);
    expect(lever.s.reads).toBe(1); // not before its interval
    await clock.advance(1);
    expect(lever.s.reads).toBe(2);
    lever.s.engaged = true;
    await clock.advance(LEVER_POLL_MS);
    expect(seen).toEqual([LEVER]);
    expect(clock.pending).toBe(0); // no more reads
    await clock.advance(10 * LEVER_POLL_MS);
    expect(lever.s.reads).toBe(3);
    await stop();
  });

  it("within a second: the poll interval, a read's own time included, stays far under it", () => {
    expect(LEVER_POLL_MS).toBeLessThanOrEqual(250);
  });

  it('a failed read is tried again at the next tick (the store being away is not the lever being engaged)', async () => {
    const clock = new ManualClock();
    const lever = fakeLever();
    lever.s.failNext = true;
    const seen: LeverRecord[] = [];
    const stop = watchLever(lever.read, clock, (l) => seen.push(l));
    await turnsUntil(() => clock.pending === 1, 'a retry scheduled');
    expect(seen).toEqual([]);
    lever.s.engaged = true;
    await clock.advance(LEVER_POLL_MS);
    expect(seen).toEqual([LEVER]);
    await stop();
  });

  it('stop() ends it: no read is scheduled any more, an engaged lever after it is not reported', async () => {
    const clock = new ManualClock();
    const lever = fakeLever();
    const seen: LeverRecord[] = [];
    const stop = watchLever(lever.read, clock, (l) => seen.push(l));
    await turnsUntil(() => clock.pending === 1, 'the next read scheduled');
    await stop();
    expect(clock.pending).toBe(0);
    lever.s.engaged = true;
    await clock.advance(10 * LEVER_POLL_MS);
    expect(seen).toEqual([]);
    expect(lever.s.reads).toBe(1);
  });

  it('the reason it records is recognised (a rehearsal the lever stopped does not pause the schedule)', () => {
    expect(isLeverStop(leverStopReason(LEVER))).toBe(true);
    expect(isLeverStop('stop condition "no-breach" breached: failed')).toBe(false);
  });
});
