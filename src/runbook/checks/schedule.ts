import { scheduleMeaningProblems } from '../schedule-policy.js';
import type { Diagnostic } from '../../util/diagnostic.js';
import type { Check } from './context.js';

/** spec.schedule: time zone, windows, blackouts and minInterval that the schema alone cannot judge. */
export const checkSchedule: Check = (ctx) => {
  const schedule = (ctx.data as { spec?: { schedule?: unknown } }).spec?.schedule;
  if (schedule === undefined || schedule === null || typeof schedule !== 'object') return [];
  // patterns and durations are the schema's to report: only what it cannot judge is added here
  return scheduleMeaningProblems(schedule).map((message): Diagnostic => ({
    severity: 'error',
    code: 'bad-schedule',
    message,
    ...ctx.sourceMap.locate(['spec', ...pathOf(message)]),
  }));
};

/** "schedule.windows[0].hours: ..." → ['schedule', 'windows', 0, 'hours']. */
function pathOf(message: string): (string | number)[] {
  const head = /^([\w.[\]]+):/.exec(message)?.[1] ?? 'schedule';
  return head.split('.').flatMap((part) => {
    const m = /^(\w+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    const indexes = [...(m[2] ?? '').matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return [m[1] ?? part, ...indexes];
  });
}
