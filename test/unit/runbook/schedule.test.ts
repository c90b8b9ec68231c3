import { describe, expect, it } from 'vitest';
import { evaluateSchedule, formatAgo, parseSchedule, type SchedulePolicy } from '../../../src/rehearsal/schedule.js';
import { validateShape } from '../../../src/runbook/schema.js';

const policy = (raw: unknown): SchedulePolicy => {
  const r = parseSchedule(raw);
  if (!r.ok) throw new Error(r.error.join('\n'));
  return r.value;
};
const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;

describe('schedule policy', () => {
  const shanghai = policy({
    timezone: 'Asia/Shanghai',
    windows: [{ days: ['mon-fri'], hours: '02:00-05:00' }],
    blackouts: [
      { date: '2026-12-24', reason: 'freeze' },
      { from: '2026-12-30T00:00:00+08:00', to: '2027-01-02T00:00:00+08:00', reason: 'year end' },
    ],
    minInterval: '6h',
  });

  it('allows a time inside a window, in the policy time zone', () => {
    // Tue 2026-11-24 03:00 in Shanghai = Mon 19:00 UTC
    expect(evaluateSchedule(shanghai, at('2026-11-23T19:00:00Z'), undefined)).toEqual({ allowed: true });
  });
  it('refuses outside the windows with the window and the local time in the reason', () => {
    expect(evaluateSchedule(shanghai, at('2026-11-24T03:00:00Z'), undefined)).toEqual({
      allowed: false,
      reason: 'outside the allowed windows (mon-fri 02:00-05:00 Asia/Shanghai); now tue 11:00',
    });
    // Sat 03:00 Shanghai: right hours, wrong day
    expect(evaluateSchedule(shanghai, at('2026-11-27T19:00:00Z'), undefined)).toMatchObject({ allowed: false });
    // the end is exclusive: 05:00 is out
    expect(evaluateSchedule(shanghai, at('2026-11-23T21:00:00Z'), undefined)).toMatchObject({ allowed: false });
  });
  it('blackout dates are local days; ranges are absolute', () => {
    // Thu 2026-12-24 03:00 Shanghai (Wed 19:00 UTC): a window, but a blackout day
    expect(evaluateSchedule(shanghai, at('2026-12-23T19:00:00Z'), undefined)).toEqual({
      allowed: false,
      reason: 'blackout 2026-12-24 (freeze)',
    });
    expect(evaluateSchedule(shanghai, at('2026-12-30T19:00:00Z'), undefined)).toEqual({
      allowed: false,
      reason: 'blackout 2026-12-30T00:00:00+08:00 – 2027-01-02T00:00:00+08:00 (year end)',
    });
  });
  it('minInterval counts from the last rehearsal that ran', () => {
    const now = at('2026-11-23T19:00:00Z');
    expect(evaluateSchedule(shanghai, now, now - (2 * H + 10 * 60_000))).toEqual({
      allowed: false,
      reason: 'last rehearsal 2h10m ago, minInterval 6h',
    });
    expect(evaluateSchedule(shanghai, now, now - 6 * H)).toEqual({ allowed: true });
    expect(evaluateSchedule(shanghai, now, now + 60_000)).toMatchObject({
      allowed: false,
      reason: 'last rehearsal 0s ago, minInterval 6h',
    });
  });
  it('windows crossing midnight belong to the day they start; weekly blackouts', () => {
    const p = policy({
      windows: [{ days: ['fri'], hours: '22:00-02:00' }],
      blackouts: [{ days: ['sat'], hours: '01:00-01:30', reason: 'backup' }],
    });
    expect(evaluateSchedule(p, at('2026-11-27T23:00:00Z'), undefined)).toEqual({ allowed: true }); // Fri 23:00 UTC
    expect(evaluateSchedule(p, at('2026-11-28T00:30:00Z'), undefined)).toEqual({ allowed: true }); // Sat 00:30
    expect(evaluateSchedule(p, at('2026-11-28T01:10:00Z'), undefined)).toEqual({
      allowed: false,
      reason: 'blackout sat 01:00-01:30 UTC (backup)',
    });
    expect(evaluateSchedule(p, at('2026-11-29T00:30:00Z'), undefined)).toMatchObject({ allowed: false }); // Sun 00:30
  });
  it('DST: a window in the skipped hour never opens; one in the repeated hour opens twice', () => {
    const ny = policy({ timezone: 'America/New_York', windows: [{ days: ['sun'], hours: '02:00-03:00' }] });
    // 2026-03-08: 01:59 EST (06:59Z) → 03:00 EDT (07:00Z)
    expect(evaluateSchedule(ny, at('2026-03-08T06:59:00Z'), undefined)).toMatchObject({ allowed: false });
    expect(evaluateSchedule(ny, at('2026-03-08T07:00:00Z'), undefined)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('now sun 03:00'),
    });
    const fall = policy({ timezone: 'America/New_York', windows: [{ days: ['sun'], hours: '01:00-02:00' }] });
    // 2026-11-01: 01:30 EDT = 05:30Z and 01:30 EST = 06:30Z
    expect(evaluateSchedule(fall, at('2026-11-01T05:30:00Z'), undefined)).toEqual({ allowed: true });
    expect(evaluateSchedule(fall, at('2026-11-01T06:30:00Z'), undefined)).toEqual({ allowed: true });
    expect(evaluateSchedule(fall, at('2026-11-01T07:00:00Z'), undefined)).toMatchObject({ allowed: false });
  });
  it('defaults: UTC, any time, no interval', () => {
    expect(evaluateSchedule(policy({}), 0, 0)).toEqual({ allowed: true });
    expect(policy(undefined).timezone).toBe('UTC');
  });
  it('rejects bad policies with clear messages', () => {
    const r = parseSchedule({
      timezone: 'Mars/Base',
      windows: [{ days: ['funday'], hours: '5-6' }],
      blackouts: [{ from: '2026-12-24', to: '2026-12-25T00:00:00Z' }],
      minInterval: 'soon',
    });
    expect(r.ok ? [] : r.error).toEqual([
      'schedule.timezone: unknown time zone "Mars/Base" (use an IANA name such as Europe/Paris)',
      'schedule.windows[0].days: "funday" is not a weekday (mon..sun) or a range (mon-fri)',
      'schedule.windows[0].hours: "5-6" is not HH:MM-HH:MM (e.g. 02:00-05:00)',
      'schedule.blackouts[0]: from/to must be ISO times with a zone (2026-12-24T00:00:00+08:00), got "2026-12-24"',
      'schedule.minInterval: bad duration "soon" (use e.g. 30m, 6h)',
    ]);
  });
  it('formats elapsed time compactly', () => {
    expect([formatAgo(7_800_000), formatAgo(90_000), formatAgo(4_000), formatAgo(26 * H)]).toEqual(['2h10m', '1m30s', '4s', '1d2h']);
  });
  it('the runbook schema validates spec.schedule', () => {
    const doc = (schedule: unknown) => ({
      apiVersion: 'drctl/v1',
      kind: 'Runbook',
      metadata: { name: 'x' },
      spec: { schedule, steps: [{ id: 'a', kind: 'exec' }] },
    });
    expect(
      validateShape(
        doc({
          timezone: 'UTC',
          windows: [{ days: ['mon-fri'], hours: '02:00-05:00' }],
          blackouts: [{ date: '2026-12-24' }],
          minInterval: '6h',
        }),
      ),
    ).toEqual([]);
    expect(validateShape(doc({ windows: [{ hours: '2am' }] })).length).toBeGreaterThan(0);
    expect(validateShape(doc({ cron: '* * * * *' })).length).toBeGreaterThan(0);
  });
});
