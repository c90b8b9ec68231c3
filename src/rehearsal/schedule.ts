import { localTime, previousDay, type LocalTime } from '../util/local-time.js';
import type { Blackout, SchedulePolicy, WeeklyHours } from '../runbook/schedule-policy.js';

export { parseSchedule, type Blackout, type SchedulePolicy, type WeeklyHours } from '../runbook/schedule-policy.js';

export type ScheduleVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * Pure: may a rehearsal start at `now` (epoch ms, e.g. clock.now())? Blackouts first, then the
 * allowed windows (local wall time of policy.timezone), then minInterval since `lastRehearsalAt`
 * (epoch ms of the last rehearsal that actually ran; undefined = none).
 */
export function evaluateSchedule(policy: SchedulePolicy, now: number, lastRehearsalAt: number | undefined): ScheduleVerdict {
  const local = localTime(now, policy.timezone);
  for (const b of policy.blackouts) {
    if (inBlackout(b, now, local)) return { allowed: false, reason: blackoutReason(b, policy.timezone) };
  }
  if (policy.windows.length > 0 && !policy.windows.some((w) => inWeekly(w, local))) {
    const windows = policy.windows.map((w) => w.text).join('; ');
    return {
      allowed: false,
      reason: `outside the allowed windows (${windows} ${policy.timezone}); now ${local.weekday} ${hhmm(local.minute)}`,
    };
  }
  if (policy.minIntervalMs !== undefined && lastRehearsalAt !== undefined) {
    const ago = Math.max(0, now - lastRehearsalAt);
    if (ago < policy.minIntervalMs) {
      return {
        allowed: false,
        reason: `last rehearsal ${formatAgo(ago)} ago, minInterval ${policy.minIntervalText ?? formatAgo(policy.minIntervalMs)}`,
      };
    }
  }
  return { allowed: true };
}

/** Is the local time inside weekly hours? A window crossing midnight belongs to the day it starts. */
export function inWeekly(w: WeeklyHours, t: LocalTime): boolean {
  if (w.from < w.to) return w.days.has(t.weekday) && t.minute >= w.from && t.minute < w.to;
  return (w.days.has(t.weekday) && t.minute >= w.from) || (w.days.has(previousDay(t.weekday)) && t.minute < w.to);
}

function inBlackout(b: Blackout, now: number, local: LocalTime): boolean {
  switch (b.type) {
    case 'date':
      return local.date === b.date;
    case 'range':
      return now >= b.from && now < b.to;
    case 'weekly':
      return inWeekly(b.hours, local);
  }
}

function blackoutReason(b: Blackout, timezone: string): string {
  const why = b.reason === undefined ? '' : ` (${b.reason})`;
  switch (b.type) {
    case 'date':
      return `blackout ${b.date}${why}`;
    case 'range':
      return `blackout ${b.text}${why}`;
    case 'weekly':
      return `blackout ${b.hours.text} ${timezone}${why}`;
  }
}

const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** 7_800_000 → "2h10m"; 90_000 → "1m30s"; 4_000 → "4s". */
export function formatAgo(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d${h > 0 ? `${h}h` : ''}`;
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ''}`;
  if (m > 0) return `${m}m${sec > 0 ? `${sec}s` : ''}`;
  return `${sec}s`;
}
