import type { EngineEvent, StepErrorInfo, StepPhase, StepStatus } from '../engine/events.js';
import type { JournalRecord, RunMeta } from '../state/records.js';

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
  readonly overBudget: { readonly budgetMs: number; readonly message: string } | undefined;
  readonly notes: Readonly<Record<string, unknown>>;
  readonly rollback: { readonly status: 'rolled-back' | 'failed'; readonly durationMs: number; readonly message: string } | undefined;
}

export interface RunReport {
  readonly schemaVersion: number;
  readonly run: RunMeta;
  readonly steps: readonly StepReport[];
  readonly checks: readonly { readonly group: string; readonly name: string; readonly ok: boolean; readonly detail: string; readonly durationMs: number; readonly at: string }[];
  readonly budgetOverruns: readonly string[];
  readonly interrupted: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Pure: the run header and its journal → the report every format renders. */
export function buildReport(meta: RunMeta, records: readonly JournalRecord[]): RunReport {
  const steps = new Map<string, Mutable<StepReport>>();
  const started = records.find((r): r is Extract<JournalRecord, { type: 'run.started' }> => r.type === 'run.started');
  for (const s of started?.steps ?? []) {
    steps.set(s.id, { id: s.id, kind: s.kind, status: 'waiting', queuedAt: undefined, startedAt: undefined, endedAt: undefined, durationMs: 0, phases: {}, attempts: 0, describe: undefined, error: undefined, overBudget: undefined, notes: {}, rollback: undefined });
  }
  const checks: Mutable<RunReport['checks'][number]>[] = [];
  const overruns: string[] = [];
  let interrupted = false;
  for (const r of records as readonly EngineEvent[]) {
    const s = 'stepId' in r && r.stepId !== undefined ? steps.get(r.stepId) : undefined;
    switch (r.type) {
      case 'check.passed':
      case 'check.failed':
        checks.push({ group: r.group, name: r.name, ok: r.type === 'check.passed', detail: r.detail, durationMs: r.durationMs, at: r.at });
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
        overruns.push(r.message);
        if (s) s.overBudget = { budgetMs: r.budgetMs, message: r.message };
        break;
      case 'step.rolled-back':
        if (s) s.rollback = { status: 'rolled-back', durationMs: r.durationMs, message: r.describe };
        break;
      case 'step.rollback-failed':
        if (s) s.rollback = { status: 'failed', durationMs: r.durationMs, message: r.error.message };
        break;
      case 'run.interrupted':
        interrupted = true;
        break;
      default:
        break;
    }
  }
  return { schemaVersion: REPORT_SCHEMA_VERSION, run: meta, steps: [...steps.values()], checks, budgetOverruns: overruns, interrupted };
}
