/** JSON Schema of spec.schedule (rehearsal policy for cron). Semantic checks: src/rehearsal/schedule-policy.ts. */
export const DAY_PATTERN = '^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?$';
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
export const HOURS_PATTERN = '^([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-4]):[0-5]\\d$';

const weekly = (description: string) =>
  ({
    type: 'object',
    additionalProperties: false,
    description,
    properties: {
      days: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', pattern: DAY_PATTERN },
        description: 'Weekdays (mon..sun) or ranges (mon-fri); default every day.',
      },
      hours: {
        type: 'string',
        pattern: HOURS_PATTERN,
        description: 'Local wall-clock hours HH:MM-HH:MM; 22:00-02:00 crosses midnight. Default all day.',
      },
      reason: { type: 'string', description: 'Shown when a rehearsal is skipped.' },
    },
  }) as const;

export const scheduleSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'When cron may run rehearsals: allowed windows, blackouts, minimum interval.',
  properties: {
    timezone: { type: 'string', default: 'UTC', description: 'IANA time zone of windows and blackout dates, e.g. Asia/Shanghai.' },
    windows: { type: 'array', items: weekly('An allowed window.'), description: 'Allowed windows; none = any time.' },
    blackouts: {
      type: 'array',
      description: 'Times when rehearsals never run.',
      items: {
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['date'],
            properties: {
              date: { type: 'string', pattern: DATE_PATTERN, description: 'A whole local day (YYYY-MM-DD).' },
              reason: { type: 'string' },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            properties: {
              from: { type: 'string', description: 'ISO time with a zone.' },
              to: { type: 'string', description: 'ISO time with a zone.' },
              reason: { type: 'string' },
            },
          },
          { ...weekly('Weekly blackout hours.'), required: ['days'] },
        ],
      },
    },
    minInterval: {
      type: 'string',
      pattern: '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+$',
      description: 'Minimum time since the last rehearsal that ran (anti-flapping), e.g. 6h.',
    },
  },
} as const;
