import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/util/duration.js';

describe('formatDuration (RTO lines, reports, plans)', () => {
  it('shows ms, seconds with two then one decimal, m+s, h+m', () => {
    expect(formatDuration(12)).toBe('12ms');
    expect(formatDuration(1234)).toBe('1.23s');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(65_000)).toBe('1m5s');
    expect(formatDuration(7_200_000)).toBe('2h0m');
    expect(formatDuration(5_430_000)).toBe('1h30m');
  });

  it('rounds before it picks the unit: never an impossible value (1m60s, 59m60s, 60.0s, 1000ms)', () => {
    expect(formatDuration(119_600)).toBe('2m0s');
    expect(formatDuration(3_599_600)).toBe('1h0m');
    expect(formatDuration(59_999)).toBe('1m0s');
    expect(formatDuration(999.6)).toBe('1.00s');
    expect(formatDuration(9_999)).toBe('10.0s');
    expect(formatDuration(999.4)).toBe('999ms');
  });

  it('every rounding boundary up to two hours reads as a well-formed duration', () => {
    const wellFormed = /^(?:\d{1,3}ms|\d\.\d\ds|[1-5]?\d\.\ds|[1-5]?\dm[1-5]?\ds|\d+h[1-5]?\dm)$/;
    for (let ms = 0; ms < 7_200_000; ms += ms < 70_000 ? 0.7 : 97.3) expect(formatDuration(ms), String(ms)).toMatch(wellFormed);
  });
});
