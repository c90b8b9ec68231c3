import type { Diagnostic } from '../../util/diagnostic.js';
import { durationProblem, parseDuration, type DurationRules } from '../../util/duration.js';
import type { DataPath } from '../../yaml/source-map.js';
import type { Check, CheckContext } from './context.js';

/** A timeout: more than 0, and within what a timer can wait. */
const TIMEOUT: DurationRules = { positive: true, timer: true };
/** A pause drctl waits for (backoff, poll interval): within what a timer can wait. */
const PAUSE: DurationRules = { timer: true };
/** A budget is compared, not waited for: only more than 0. */
const BUDGET: DurationRules = { positive: true };

const STEP_FIELDS: Readonly<Record<string, DurationRules>> = {
  timeout: TIMEOUT,
  retryBackoff: PAUSE,
  verifyInterval: PAUSE,
  budget: BUDGET,
};
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
  const out: Diagnostic[] = [];
  const check = (
    owner: Readonly<Record<string, unknown>> | undefined,
    at: () => DataPath,
    rules: Readonly<Record<string, DurationRules>>,
  ): void => {
    if (owner) fields(ctx, owner, at, rules, out);
  };
  check(spec, () => ['spec'], { budget: BUDGET });
  check(asRecord(spec['defaults']), () => ['spec', 'defaults'], DEFAULT_FIELDS);
  asList(spec['steps']).forEach((s, i) => check(asRecord(s), () => ['spec', 'steps', i], STEP_FIELDS));
  for (const list of PROBE_LISTS) asList(spec[list]).forEach((p, i) => check(asRecord(p), () => ['spec', list, i], PROBE_FIELDS));
  check(fault, () => ['spec', 'fault'], FAULT_FIELDS);
  asList(fault?.['detect']).forEach((p, i) => check(asRecord(p), () => ['spec', 'fault', 'detect', i], PROBE_FIELDS));
  return out;
};

/** The owner's duration fields against their rules; the path is built only for a problem (10,000 steps have none). */
function fields(
  ctx: CheckContext,
  owner: Readonly<Record<string, unknown>>,
  at: () => DataPath,
  rules: Readonly<Record<string, DurationRules>>,
  out: Diagnostic[],
): void {
  for (const key in rules) {
    const text = owner[key];
    if (typeof text !== 'string' || parseDuration(text) === undefined) continue;
    const problem = durationProblem(text, rules[key]!);
    if (problem)
      out.push({ severity: 'error', code: 'bad-duration', message: `${key}: ${problem}`, ...ctx.sourceMap.locate([...at(), key]) });
  }
}
