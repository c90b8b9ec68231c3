import { durationProblem, parseDuration } from '../util/duration.js';
import { defineKind } from './define-kind.js';
import { probeLabel, probeParamProblems, probeTimeoutMs, runProbe, type ProbeParams } from '../probe/run-probe.js';
import { adaptivePause } from '../util/adaptive-pause.js';
import { probeSchema } from '../probe/schema.js';
import { HOLDS, notYet } from '../model/kind.js';

const DEFAULT_INTERVAL_MS = 500;

interface WaitParams {
  /** A fixed pause ("5s"). */
  readonly duration?: string;
  /** Or: poll this probe until it holds (bounded by the step's timeout). */
  readonly until?: ProbeParams;
  readonly interval?: string;
}

interface WaitState {
  readonly holds: boolean;
  readonly detail: string;
}

export const waitKind = defineKind<WaitParams, WaitState>({
  name: 'wait',
  description: 'Pause for a duration, or poll a probe (exec, http, redis or sql) until it holds within the step timeout.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      duration: { type: 'string', description: 'A fixed pause, e.g. 5s.' },
      until: probeSchema,
      interval: {
        type: 'string',
        description: 'Longest pause between samples of until (default 500ms): 10 ms after a sample that did not hold, doubling up to it.',
      },
    },
    oneOf: [
      { required: ['duration'], properties: { duration: {} } },
      { required: ['until'], properties: { until: {} } },
    ],
  },
  check(p) {
    const durations = (['duration', 'interval'] as const).flatMap((key) => {
      const text = p[key];
      const problem = text === undefined ? undefined : durationProblem(text, { timer: true });
      return problem ? [{ path: [key], message: problem }] : [];
    });
    return [...durations, ...probeParamProblems(p.until, ['until'])];
  },
  async observe(p, ctx) {
    if (!p.until) return { holds: false, detail: `pause ${p.duration ?? ''}` };
    const held = await runProbe(p.until, ctx, probeTimeoutMs(p.until));
    return { holds: held.ok, detail: held.ok ? 'holds' : held.detail };
  },
  decide(p, current) {
    if (p.until && current.holds) return { action: 'noop', reason: 'condition already holds' };
    return { action: 'change', desired: { holds: true, detail: 'holds' } };
  },
  async apply(p, _change, ctx) {
    if (p.duration !== undefined) await ctx.clock.sleep(parseDuration(p.duration) ?? 0, ctx.signal);
    if (!p.until) return;
    // poll at the rate the answer can change: 10 ms after a sample that did not hold, doubling up to the
    // runbook's interval, so the wait ends within ms of the change, not up to an interval after it (verify
    // then finds it holding at once); bounded by the step timeout
    const intervalMs = p.interval === undefined ? DEFAULT_INTERVAL_MS : (parseDuration(p.interval) ?? DEFAULT_INTERVAL_MS);
    const pauses = adaptivePause(intervalMs);
    for (;;) {
      const sample = await runProbe(p.until, ctx, probeTimeoutMs(p.until));
      if (sample.ok) return;
      ctx.miss?.(sample.detail); // a step timeout tells the last answer (a server error is one), not "no answer"
      await ctx.clock.sleep(pauses.next(), ctx.signal);
    }
  },
  holds(p, _desired, current) {
    if (!p.until) return HOLDS;
    return current.holds ? HOLDS : notYet(current.detail);
  },
  // Waiting changes nothing, so there is nothing to undo.
  async rollback() {},
  changesNothing: true,
  describe(p, before) {
    if (p.duration !== undefined) return `pause ${p.duration}`;
    return `wait until ${p.until ? probeLabel(p.until) : ''} (now: ${before.detail})`;
  },
  verifyIntervalMs: DEFAULT_INTERVAL_MS,
});
