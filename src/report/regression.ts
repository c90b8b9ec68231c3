import type { RehearsalOutcome } from '../engine/events.js';
import type { RunMeta } from '../state/records.js';
import type { RunReport } from './build-report.js';

/** A latest RTO more than this fraction above the median of the earlier ones is a regression. */
export const REGRESSION_THRESHOLD = 0.2;

export interface RegressionVerdict {
  readonly regressed: boolean;
  /** Median of every RTO but the last; undefined with fewer than two values. */
  readonly medianMs: number | undefined;
  readonly latestMs: number | undefined;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

/** Pure: rtos oldest first; the last one regressed when it exceeds the median of the earlier ones by > 20%. */
export function detectRegression(rtos: readonly number[]): RegressionVerdict {
  const latestMs = rtos.at(-1);
  const medianMs = median(rtos.slice(0, -1));
  const regressed = latestMs !== undefined && medianMs !== undefined && latestMs > medianMs * (1 + REGRESSION_THRESHOLD);
  return { regressed, medianMs, latestMs };
}

/** What a run header may carry about its rehearsal (run.json); the lead writes it at run end. */
export interface RehearsalMetaSummary {
  readonly outcome: RehearsalOutcome;
  readonly rtoMs: number | undefined;
  readonly budgetMs?: number | undefined;
}

/** A run header from history, optionally with its rehearsal summary. RunMeta is assignable to it. */
export type HistoryRun = RunMeta & { readonly rehearsal?: RehearsalMetaSummary | undefined };

export interface TrendPoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly rtoMs: number;
  readonly outcome: RehearsalOutcome | undefined;
  readonly current: boolean;
}

/** Pure: the RTO series for the trend chart: same runbook, rehearsals with a measured RTO, oldest first, this run last. */
export function rtoTrend(report: RunReport, history: readonly HistoryRun[]): readonly TrendPoint[] {
  const name = report.run.runbook.name;
  const past: TrendPoint[] = history
    .filter((m) => m.runbook.name === name && m.runId !== report.run.runId && m.rehearsal?.rtoMs !== undefined)
    .map((m) => ({ runId: m.runId, startedAt: m.startedAt, rtoMs: m.rehearsal?.rtoMs ?? 0, outcome: m.rehearsal?.outcome, current: false }))
    .filter((p) => Date.parse(p.startedAt) <= Date.parse(report.run.startedAt) || Number.isNaN(Date.parse(p.startedAt)))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const rto = report.rehearsal?.rto;
  if (!rto) return past;
  return [...past, { runId: report.run.runId, startedAt: report.run.startedAt, rtoMs: rto.totalMs, outcome: report.rehearsal?.outcome, current: true }];
}
