import { describe, expect, it } from 'vitest';
import { ADAPT_FIRST_MS, adaptivePause } from '../../../src/util/adaptive-pause.js';

describe('adaptivePause', () => {
  it('starts at 10 ms after a miss and doubles up to the interval, which it never exceeds', () => {
    const p = adaptivePause(100);
    expect([p.next(), p.next(), p.next(), p.next(), p.next(), p.next()]).toEqual([ADAPT_FIRST_MS, 20, 40, 80, 100, 100]);
  });

  it('reset starts again from the first pause; an interval under 10 ms is kept as the pause', () => {
    const p = adaptivePause(500);
    p.next();
    p.next();
    p.reset();
    expect(p.next()).toBe(ADAPT_FIRST_MS);
    const tiny = adaptivePause(2);
    expect([tiny.next(), tiny.next()]).toEqual([2, 2]);
  });
});
