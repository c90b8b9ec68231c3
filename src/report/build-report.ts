import type { EngineEvent, StepErrorInfo, StepPhase, StepStatus } from '../model/events.js';
import type { JournalRecord, RunMeta } from '../model/records.js';
import { checkPhases } from './check-phase.js';
import { failureCauses, overrunCounted, type FailureCause } from './failures.js';
import { buildRehearsalSection, type RehearsalReport } from './rehearsal-section.js';

export type { RehearsalReport } from './rehearsal-section.js';
export type { FailureCause } from './failures.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface StepReport {
  readonly id: string;
  readonly kind: string;
  readonly status: StepStatus;
  readonly queuedAt: string | undefined;
  readonly startedAt: string | undefined;
  readonly endedAt: string | undefined;
  readonly durationMs: number;
  readonly phases: Readonly<Partial<Record<StepPhase, number>>>;
  readonly attempts: number;
  readonly describe: string | undefined;
  readonly error: StepErrorInfo | undefined;
  readonly overBudget: { readonly budgetMs: number; readonly message: string; readonly counted: boolean } | undefined;
  readonly notes: Readonly<Record<string, unknown>>;
  /** already-as-before: the undo found the step as it was and did nothing (message: "already as before: nothing undone"). */
  readonly rollback:
    | {
        readonly status: 'rolled-back' | 'already-as-before' | 'failed';
        readonly durationMs: number;
        readonly message: string;
        readonly endedAt?: string;
      }
    | undefined;
  /** Every phase the step went through, in order, with wall-clock ends (from step.phase events): the timeline's bars. */
  readonly segments?: readonly PhaseSegment[];
  /** Retries: when each failed attempt was retried, the pause and why. */
  readonly retries?: readonly { readonly at: string; readonly attempt: number; readonly delayMs: number; readonly message: string }[];
}

/** One phase of one attempt (or the rollback), ISO start/end. */
export interface PhaseSegment {
  readonly phase: StepPhase;
  readonly startAt: string;
  readonly endAt: string;
  readonly ok: boolean;
  readonly attempt: number;
}

export interface RunReport {
  readonly schemaVersion: number;
  readonly run: RunMeta;
  readonly steps: readonly StepReport[];
  /**
   * `phase`: when in the run the check ran ('before any change', a drill's 'before the drill', 'after the
   * switch', 'after fail-back', a rehearsal's 'before the fault', 'recovered', ...): always set.
   */
  readonly checks: readonly CheckReport[];
  readonly budgetOverruns: readonly string[];
  /** The budgets the run was held to: the runbook's (the switch; a rehearsal's RTO) and each step's. */
  readonly budgets: {
    readonly switchMs: number | undefined;
    readonly steps: Readonly<Record<string, number>>;
    readonly switchTookMs?: number;
  };
  /** Why the run failed, one entry per cause; empty when it succeeded. */
  readonly failures: readonly FailureCause[];
  /** Budget overruns the run did not count against itself (a step over its budget, a real run over the runbook's): findings. */
  readonly findings: readonly string[];
  readonly interrupted: boolean;
  /** The data centers the run was told are lost (run.started's, else a rehearsal fault's): its switch did not wait on members there. */
  readonly lost: readonly string[];
  /** Present for rehearsals (mode rehearse or any fault/rehearsal event in the journal). */
  readonly rehearsal?: RehearsalReport;
}

export interface CheckReport {
  readonly group: string;
  readonly phase: string;
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly durationMs: number;
  readonly at: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Pure: the run header and its journal → the report every format renders. */
export function buildReport(meta: RunMeta, records: readonly JournalRecord[]): RunReport {
  const steps = new Map<string, Mutable<StepReport>>();
  const started = records.find((r): r is Extract<JournalRecord, { type: 'run.started' }> => r.type === 'run.started');
  for (const s of started?.steps ?? []) {
    steps.set(s.id, {
      id: s.id,
      kind: s.kind,
      status: 'waiting',
      queuedAt: undefined,
      startedAt: undefined,
      endedAt: undefined,
      durationMs: 0,
      phases: {},
      attempts: 0,
      describe: undefined,
      error: undefined,
      overBudget: undefined,
      notes: {},
      rollback: undefined,
      segments: [],
      retries: [],
    });
  }
  const attempt = new Map<string, number>();
  const rollbackStart = new Map<string, string>();
  const push = <T>(list: readonly T[] | undefined, item: T): readonly T[] => [...(list ?? []), item];
  const checks: CheckReport[] = [];
  const overruns: { stepId: string | undefined; message: string; budgetMs: number; durationMs: number }[] = [];
  let interrupted: string | undefined;
  const events = records as readonly EngineEvent[];
  const phases = checkPhases(events);
  for (const r of events) {
    const s = 'stepId' in r && r.stepId !== undefined ? steps.get(r.stepId) : undefined;
    switch (r.type) {
      case 'check.passed':
      case 'check.failed':
        checks.push({
          group: r.group,
          phase: phases.get(r) ?? r.group,
          name: r.name,
          ok: r.type === 'check.passed',
          detail: r.detail,
          durationMs: r.durationMs,
          at: r.at,
        });
        break;
      case 'step.started':
        attempt.set(r.stepId, r.attempt);
        // running until its step.timing says how it ended (a run in progress, or one cut off mid-step)
        if (s && s.status === 'waiting') s.status = 'running';
        break;
      case 'step.phase':
        if (s)
          s.segments = push(s.segments, {
            phase: r.phase,
            startAt: shift(r.at, -r.durationMs),
            endAt: r.at,
            ok: r.ok,
            attempt: attempt.get(r.stepId) ?? 1,
          });
        break;
      case 'step.retrying':
        if (s) s.retries = push(s.retries, { at: r.at, attempt: r.attempt, delayMs: r.delayMs, message: r.error.message });
        break;
      case 'step.rolling-back':
        rollbackStart.set(r.stepId, r.at);
        break;
      case 'step.intent':
        if (s) s.describe = r.describe;
        break;
      case 'step.applied':
        if (s) Object.assign(s, { describe: r.describe, notes: r.notes });
        break;
      case 'step.skipped':
        if (s) s.describe = r.reason;
        break;
      case 'step.failed':
        if (s) Object.assign(s, { error: r.error, notes: r.notes });
        break;
      case 'step.timing':
        if (s) Object.assign(s, { ...r.timing });
        break;
      case 'step.cancelled':
        if (s && s.status === 'waiting') s.status = 'cancelled';
        break;
      case 'budget.exceeded':
        overruns.push({ stepId: r.stepId, message: r.message, budgetMs: r.budgetMs, durationMs: r.durationMs });
        break;
      case 'step.rolled-back':
        // records from before `changed` existed lack it: they were undos that ran
        if (s)
          s.rollback = {
            status: r.changed === false ? 'already-as-before' : 'rolled-back',
            durationMs: r.durationMs,
            message: r.describe,
            endedAt: r.at,
          };
        if (s) s.segments = push(s.segments, rollbackSegment(rollbackStart.get(r.stepId), r.at, r.durationMs, true));
        break;
      case 'step.rollback-failed':
        if (s) s.rollback = { status: 'failed', durationMs: r.durationMs, message: r.error.message, endedAt: r.at };
        if (s) s.segments = push(s.segments, rollbackSegment(rollbackStart.get(r.stepId), r.at, r.durationMs, false));
        break;
      case 'run.interrupted':
        interrupted = r.signal;
        break;
      default:
        break;
    }
  }
  const rehearsal = buildRehearsalSection(records, meta.mode === 'rehearse');
  for (const b of overruns) {
    const s = b.stepId === undefined ? undefined : steps.get(b.stepId);
    if (s) s.overBudget = { budgetMs: b.budgetMs, message: b.message, counted: overrunCounted(b.message, meta, rehearsal) };
  }
  const list = [...steps.values()];
  const failures = failureCauses({ run: meta, steps: list, checks, overruns, interrupted, rehearsal });
  const findings = overruns.filter((b) => !overrunCounted(b.message, meta, rehearsal)).map((b) => b.message);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: meta,
    steps: list,
    checks,
    budgetOverruns: overruns.map((b) => b.message),
    budgets: budgetsOf(started, rehearsal, overruns),
    failures,
    findings,
    interrupted: interrupted !== undefined,
    lost: started?.lost ?? faultLost(events) ?? [],
    ...(rehearsal ? { rehearsal } : {}),
  };
}

/** Budgets from run.started (every mode), else a rehearsal's record of them, else what the overruns say. */
function budgetsOf(
  started: Extract<JournalRecord, { type: 'run.started' }> | undefined,
  h: RehearsalReport | undefined,
  overruns: readonly { stepId: string | undefined; budgetMs: number; durationMs: number }[],
): RunReport['budgets'] {
  const steps: Record<string, number> = { ...h?.stepBudgetsMs };
  for (const b of overruns) if (b.stepId !== undefined) steps[b.stepId] ??= b.budgetMs;
  for (const s of started?.steps ?? []) if (s.budgetMs !== undefined) steps[s.id] = s.budgetMs;
  const total = overruns.find((b) => b.stepId === undefined);
  const switchMs = started?.budgetMs ?? h?.budgetMs ?? total?.budgetMs;
  return { switchMs, steps, ...(total ? { switchTookMs: total.durationMs } : {}) };
}

function shift(iso: string, ms: number): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t + ms).toISOString();
}

function rollbackSegment(startAt: string | undefined, endAt: string, durationMs: number, ok: boolean): PhaseSegment {
  return { phase: 'rollback', startAt: startAt ?? shift(endAt, -durationMs), endAt, ok, attempt: 1 };
}

/** A rehearsal's lost data centers: its fault's (fault.injected). */
const faultLost = (events: readonly EngineEvent[]): readonly string[] | undefined =>
  events.find((e): e is Extract<EngineEvent, { type: 'fault.injected' }> => e.type === 'fault.injected')?.lost;
