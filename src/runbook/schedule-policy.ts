import { parseDuration } from '../util/duration.js';
import { err, ok, type Result } from '../util/result.js';
import { isTimeZone, WEEKDAYS, type Weekday } from '../util/local-time.js';

/** Local wall-clock hours on some weekdays; `to` < `from` crosses midnight (the day is the start's). */
export interface WeeklyHours {
  readonly days: ReadonlySet<Weekday>;
  readonly from: number;
  readonly to: number;
  /** As written, for messages: "mon-fri 02:00-05:00". */
  readonly text: string;
}

export type Blackout =
  | { readonly type: 'date'; readonly date: string; readonly reason: string | undefined }
  | { readonly type: 'range'; readonly from: number; readonly to: number; readonly text: string; readonly reason: string | undefined }
  | { readonly type: 'weekly'; readonly hours: WeeklyHours; readonly reason: string | undefined };

/** spec.schedule after validation. */
export interface SchedulePolicy {
  readonly timezone: string;
  /** Allowed windows; empty = any time. */
  readonly windows: readonly WeeklyHours[];
  readonly blackouts: readonly Blackout[];
  readonly minIntervalMs: number | undefined;
  readonly minIntervalText: string | undefined;
}

type Raw = Readonly<Record<string, unknown>>;
const HOURS_RE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_WITH_ZONE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parse and check `spec.schedule` (shape already checked by schema-schedule.ts). Errors name the path. */
export function parseSchedule(raw: unknown): Result<SchedulePolicy, readonly string[]> {
  const r = parseWithProblems(raw);
  return r.problems.length > 0 ? err(r.problems.map((x) => x.message)) : ok(r.policy);
}

/** A problem with spec.schedule; `shape` ones (a pattern, a duration) are also reported by the JSON Schema. */
export interface ScheduleProblem {
  readonly message: string;
  readonly shape: boolean;
}

/** Problems that only this parser can see (an unknown zone, an impossible date, an empty range...). */
export const scheduleMeaningProblems = (raw: unknown): string[] =>
  parseWithProblems(raw)
    .problems.filter((x) => !x.shape)
    .map((x) => x.message);

class Problems extends Array<ScheduleProblem> {
  meaning(message: string): void {
    this.push({ message, shape: false });
  }
  shape(message: string): void {
    this.push({ message, shape: true });
  }
}

function parseWithProblems(raw: unknown): { policy: SchedulePolicy; problems: readonly ScheduleProblem[] } {
  const errors = new Problems();
  const r = (raw ?? {}) as Raw;
  const timezone = typeof r['timezone'] === 'string' ? r['timezone'] : 'UTC';
  if (!isTimeZone(timezone)) errors.meaning(`schedule.timezone: unknown time zone "${timezone}" (use an IANA name such as Europe/Paris)`);
  const windows = list(r['windows']).flatMap((w, i) => weekly(w, `schedule.windows[${i}]`, errors) ?? []);
  const blackouts = list(r['blackouts']).flatMap((b, i) => blackout(b, `schedule.blackouts[${i}]`, errors) ?? []);
  let minIntervalMs: number | undefined;
  let minIntervalText: string | undefined;
  if (r['minInterval'] !== undefined) {
    minIntervalText = String(r['minInterval']);
    minIntervalMs = parseDuration(minIntervalText);
    if (minIntervalMs === undefined) errors.shape(`schedule.minInterval: bad duration "${minIntervalText}" (use e.g. 30m, 6h)`);
  }
  return { policy: { timezone, windows, blackouts, minIntervalMs, minIntervalText }, problems: errors };
}

const list = (v: unknown): readonly Raw[] => (Array.isArray(v) ? (v as Raw[]) : []);
const reasonOf = (b: Raw): string | undefined => (typeof b['reason'] === 'string' ? b['reason'] : undefined);

function blackout(b: Raw, at: string, errors: Problems): Blackout | undefined {
  if (typeof b['date'] === 'string') {
    const text = `${at}.date: "${b['date']}" is not a date (YYYY-MM-DD)`;
    if (!DATE_RE.test(b['date'])) errors.shape(text);
    else if (!isCalendarDate(b['date'])) errors.meaning(text);
    return { type: 'date', date: b['date'], reason: reasonOf(b) };
  }
  if (b['from'] !== undefined || b['to'] !== undefined) {
    const [from, to] = [String(b['from']), String(b['to'])];
    const bad = [from, to].filter((t) => !ISO_WITH_ZONE_RE.test(t) || Number.isNaN(Date.parse(t)));
    if (bad.length > 0) {
      errors.meaning(
        `${at}: from/to must be ISO times with a zone (2026-12-24T00:00:00+08:00), got ${bad.map((t) => `"${t}"`).join(', ')}`,
      );
      return undefined;
    }
    if (Date.parse(to) <= Date.parse(from)) errors.meaning(`${at}: "to" (${to}) is not after "from" (${from})`);
    return { type: 'range', from: Date.parse(from), to: Date.parse(to), text: `${from} – ${to}`, reason: reasonOf(b) };
  }
  const hours = weekly(b, at, errors);
  return hours ? { type: 'weekly', hours, reason: reasonOf(b) } : undefined;
}

function weekly(w: Raw, at: string, errors: Problems): WeeklyHours | undefined {
  const days = new Set<Weekday>();
  const rawDays = Array.isArray(w['days']) ? (w['days'] as unknown[]).map(String) : [...WEEKDAYS.slice(1), 'sun'];
  for (const d of rawDays) {
    const expanded = expandDays(d.toLowerCase());
    if (!expanded) errors.shape(`${at}.days: "${d}" is not a weekday (mon..sun) or a range (mon-fri)`);
    for (const x of expanded ?? []) days.add(x);
  }
  const hoursText = typeof w['hours'] === 'string' ? w['hours'] : '00:00-24:00';
  const m = HOURS_RE.exec(hoursText);
  if (!m) {
    errors.shape(`${at}.hours: "${hoursText}" is not HH:MM-HH:MM (e.g. 02:00-05:00)`);
    return undefined;
  }
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  if (to > 1440 || from === to) errors.meaning(`${at}.hours: "${hoursText}" is an empty or invalid range`);
  return { days, from, to, text: `${daysText(days)} ${hoursText}` };
}

function expandDays(d: string): readonly Weekday[] | undefined {
  const order: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const [a, b] = d.split('-');
  const i = order.indexOf(a as Weekday);
  const j = b === undefined ? i : order.indexOf(b as Weekday);
  if (i < 0 || j < 0 || d.split('-').length > 2) return undefined;
  const out: Weekday[] = [];
  for (let k = i; ; k = (k + 1) % 7) {
    out.push(order[k] ?? 'mon');
    if (k === j) return out;
  }
}

/** {mon,tue,wed,thu,fri} → "mon-fri"; {sat,sun} → "sat-sun"; all → "daily". */
export function daysText(days: ReadonlySet<Weekday>): string {
  const order: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  if (days.size === 7) return 'daily';
  const runs: string[] = [];
  let start = -1;
  for (let k = 0; k <= 7; k += 1) {
    const inSet = k < 7 && days.has(order[k] ?? 'mon');
    if (inSet && start < 0) start = k;
    if (!inSet && start >= 0) {
      runs.push(k - 1 === start ? (order[start] ?? '') : `${order[start] ?? ''}-${order[k - 1] ?? ''}`);
      start = -1;
    }
  }
  return runs.join(',');
}

/** 2026-02-28 yes; 2026-02-30 no (Date.parse would roll it over to March). */
function isCalendarDate(text: string): boolean {
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}
