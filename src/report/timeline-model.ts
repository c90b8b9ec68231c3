import type { StepPhase } from '../model/events.js';
import type { PhaseSegment, RunReport, StepReport } from './build-report.js';
import { ms } from './svg-scale.js';

/** A bar on the timeline, in epoch ms. */
export interface Bar {
  readonly phase: StepPhase;
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly attempt: number;
}

export interface Mark {
  readonly id: string;
  readonly at: number;
  readonly label: string;
  readonly colour: string;
}

const toBar = (s: PhaseSegment): Bar | undefined => {
  const start = ms(s.startAt);
  const end = ms(s.endAt);
  return start === undefined || end === undefined
    ? undefined
    : { phase: s.phase, start, end: Math.max(start, end), ok: s.ok, attempt: s.attempt };
};

/** The step's observe/apply/verify bars: from its phase events, or laid end to end from startedAt. */
export function switchBars(s: StepReport): readonly Bar[] {
  const fromEvents = (s.segments ?? []).filter((g) => g.phase !== 'rollback').flatMap((g) => toBar(g) ?? []);
  if (fromEvents.length > 0) return fromEvents;
  let t = ms(s.startedAt);
  if (t === undefined) return [];
  const bars: Bar[] = [];
  for (const phase of ['observe', 'apply', 'verify'] as const) {
    const d = s.phases[phase];
    if (d === undefined) continue;
    const ok = !(s.error?.phase === phase);
    bars.push({ phase, start: t, end: t + d, ok, attempt: s.attempts });
    t += d;
  }
  return bars;
}

/** The step's rollback bar (fail-back), if it was rolled back. */
export function rollbackBar(s: StepReport): Bar | undefined {
  const seg = (s.segments ?? []).find((g) => g.phase === 'rollback');
  if (seg) return toBar(seg);
  const end = ms(s.rollback?.endedAt);
  if (!s.rollback || end === undefined) return undefined;
  return { phase: 'rollback', start: end - s.rollback.durationMs, end, ok: s.rollback.status !== 'failed', attempt: 1 };
}

/** Start of the step's first bar (for its budget marker). */
export function stepStart(s: StepReport): number | undefined {
  const bars = switchBars(s);
  return bars.length > 0 ? Math.min(...bars.map((b) => b.start)) : ms(s.startedAt);
}

/** A step's budget (every mode: recorded at the run's start, or in older journals by a rehearsal or the overrun). */
export function stepBudget(r: RunReport, s: StepReport): number | undefined {
  return r.budgets.steps[s.id] ?? r.rehearsal?.stepBudgetsMs[s.id] ?? s.overBudget?.budgetMs;
}

/** Where the runbook's budget ends on the timeline: t0 + budget for a rehearsal (the RTO), else the switch's start + budget. */
export function budgetLine(r: RunReport): { readonly at: number; readonly from: number; readonly label: string } | undefined {
  const budget = r.budgets.switchMs ?? r.rehearsal?.budgetMs;
  if (budget === undefined) return undefined;
  const t0 = ms(r.rehearsal?.t0);
  if (t0 !== undefined) return { at: t0 + budget, from: t0, label: 'RTO budget' };
  if (r.rehearsal) return undefined;
  const starts = r.steps.flatMap((s) => stepStart(s) ?? []);
  if (starts.length === 0) return undefined;
  const from = Math.min(...starts);
  return { at: from + budget, from, label: 'switch budget' };
}

const off = (r: RunReport, at: number): string => {
  const t0 = ms(r.rehearsal?.t0);
  if (t0 === undefined) return '';
  const d = at - t0;
  return ` t0${d >= 0 ? '+' : '−'}${(Math.abs(d) / 1000).toFixed(2)}s`;
};

/** The vertical marks: fault (t0), detection, recovery, restore, stop-condition breaches. */
export function marks(r: RunReport): readonly Mark[] {
  const h = r.rehearsal;
  if (!h) return [];
  const out: Mark[] = [];
  const add = (id: string, iso: string | undefined, label: (at: number) => string, colour: string): void => {
    const at = ms(iso);
    if (at !== undefined) out.push({ id, at, label: label(at), colour });
  };
  add('mark-fault', h.t0, () => 'fault (t0: the cut)', '#d62728');
  add('mark-detected', h.detectedAt, (at) => `detected${off(r, at)}`, '#ff7f0e');
  add('mark-recovered', h.recoveredAt, (at) => `recovered${off(r, at)}`, '#2ca02c');
  add('mark-restored', h.restoredAt, (at) => `fault restored${off(r, at)}${h.restoreOk === false ? ' (FAILED)' : ''}`, '#1f77b4');
  h.stopBreaches.forEach((b, i) => add(`mark-stop-${i}`, b.at, () => `stop: ${b.name}`, '#8b0000'));
  return out;
}
