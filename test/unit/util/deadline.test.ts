import { describe, expect, it } from 'vitest';
import { Deadline, TimeoutReason } from '../../../src/util/deadline.js';
import { ManualClock } from '../../helpers/manual-clock.js';

describe("Deadline: a step attempt's timeout and cancellation, its AbortSignal made only on demand", () => {
  it('race rejects with TimeoutReason when the time runs out, though nobody read the signal', async () => {
    const clock = new ManualClock();
    const d = new Deadline(new AbortController().signal, 20, clock);
    try {
      const raced = d.race(new Promise<never>(() => undefined));
      raced.catch(() => undefined);
      await clock.advance(19);
      expect(d.aborted).toBe(false);
      expect(d.remainingMs()).toBe(1);
      await clock.advance(1);
      await expect(raced).rejects.toBeInstanceOf(TimeoutReason);
      expect(d.aborted).toBe(true);
      expect(d.remainingMs()).toBe(0);
      // a signal read after the deadline fired is born aborted, with the same reason
      expect(d.signal.aborted).toBe(true);
      expect(d.signal.reason).toBeInstanceOf(TimeoutReason);
    } finally {
      d.dispose();
    }
  });

  it('a signal read before the deadline fires is aborted when it fires', async () => {
    const clock = new ManualClock();
    const d = new Deadline(new AbortController().signal, 20, clock);
    const signal = d.signal;
    await clock.advance(19);
    expect(signal.aborted).toBe(false);
    await clock.advance(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(TimeoutReason);
    d.dispose();
  });

  it("a parent abort ends every deadline under it with the parent's reason; a disposed one is left alone", async () => {
    const parent = new AbortController();
    const a = new Deadline(parent.signal, 60_000);
    const b = new Deadline(parent.signal, 60_000);
    const c = new Deadline(parent.signal, 60_000);
    c.dispose();
    const raced = a.race(new Promise<never>(() => undefined));
    const why = new Error('SIGTERM');
    parent.abort(why);
    await expect(raced).rejects.toBe(why);
    expect(b.signal.reason).toBe(why);
    expect(c.aborted).toBe(false);
    // a deadline made under an already aborted parent is aborted at once
    const late = new Deadline(parent.signal, 60_000);
    expect(late.aborted).toBe(true);
    await expect(late.race(Promise.resolve(1))).rejects.toBe(why);
    for (const d of [a, b, late]) d.dispose();
  });

  it('race settles with the promise when it wins, and a later timeout changes nothing', async () => {
    const clock = new ManualClock();
    const d = new Deadline(new AbortController().signal, 30, clock);
    await expect(d.race(Promise.resolve('observed'))).resolves.toBe('observed');
    await expect(d.race(Promise.reject(new Error('kind failed')))).rejects.toThrow('kind failed');
    d.dispose();
    expect(clock.pending).toBe(0); // disposed: its timer is gone
    await clock.advance(60);
    expect(d.aborted).toBe(false);
  });
});
