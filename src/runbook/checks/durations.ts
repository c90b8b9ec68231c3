import type { Diagnostic } from '../../util/diagnostic.js';
import { durationProblem, parseDuration, type DurationRules } from '../../util/duration.js';
import type { DataPath } from '../../util/source-map.js';
import type { Check, CheckContext } from './context.js';

/** A timeout: more than 0, and within what a timer can wait. */
const TIMEOUT: DurationRules = { positive: true, timer: true };
/** A pause drctl waits for (backoff, poll interval): within what a timer can wait. */
const PAUSE: DurationRules = { timer: true };
/** A budget is compared, not waited for: only more than 0. */
const BUDGET: DurationRules = { positive: true };

const STEP_FIELDS: Readonly<Record<string, DurationRules>> = { timeout: TIMEOUT, retryBackoff: PAUSE, verifyInterval: PAUSE, budget: BUDGET };
const DEFAULT_FIELDS: Readonly<Record<string, DurationRules>> = { timeout: TIMEOUT, retryBackoff: PAUSE, verifyInterval: PAUSE };
const PROBE_FIELDS: Readonly<Record<string, DurationRules>> = { timeout: TIMEOUT, interval: PAUSE };
const FAULT_FIELDS: Readonly<Record<string, DurationRules>> = { timeout: TIMEOUT, detectTimeout: TIMEOUT, recoverTimeout: TIMEOUT };
const PROBE_LISTS = ['readiness', 'steadyState', 'stopConditions'] as const;

const asRecord = (v: unknown): Readonly<Record<string, unknown>> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asList = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/**
 * Durations the schema's pattern accepts but a run cannot use: a timeout of 0, or a wait longer than a
 * timer can hold (it would fire at once). Unreadable ones are the schema's to report.
 */
export const checkDurations: Check = (ctx) => {
  const spec = asRecord(asRecord(ctx.data)?.['spec']);
  if (!spec) return [];
  const fault = asRecord(spec['fault']);
  return [
    ...fields(ctx, spec, ['spec'], { budget: BUDGET }),
    ...fields(ctx, asRecord(spec['defaults']), ['spec', 'defaults'], DEFAULT_FIELDS),
    ...asList(spec['steps']).flatMap((s, i) => fields(ctx, asRecord(s), ['spec', 'steps', i], STEP_FIELDS)),
    ...PROBE_LISTS.flatMap((list) => asList(spec[list]).flatMap((p, i) => fields(ctx, asRecord(p), ['spec', list, i], PROBE_FIELDS))),
    ...fields(ctx, fault, ['spec', 'fault'], FAULT_FIELDS),
    ...asList(fault?.['detect']).flatMap((p, i) => fields(ctx, asRecord(p), ['spec', 'fault', 'detect', i], PROBE_FIELDS)),
  ];
};

function fields(ctx: CheckContext, owner: Readonly<Record<string, unknown>> | undefined, at: DataPath, rules: Readonly<Record<string, DurationRules>>): Diagnostic[] {
  if (!owner) return [];
  return Object.entries(rules).flatMap(([key, rule]): Diagnostic[] => {
    const text = owner[key];
    if (typeof text !== 'string' || parseDuration(text) === undefined) return [];
    const problem = durationProblem(text, rule);
    return problem ? [{ severity: 'error', code: 'bad-duration', message: `${key}: ${problem}`, ...ctx.sourceMap.locate([...at, key]) }] : [];
  });
}
