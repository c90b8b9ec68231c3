import type { RehearsalOutcome } from '../model/events.js';
import type { RunMeta } from '../model/records.js';
import { formatDuration } from '../util/duration.js';
import type { RunReport } from './build-report.js';
import { median } from '../util/stats.js';

/** A latest RTO more than this fraction above the median of the earlier ones is a regression. */
export const REGRESSION_THRESHOLD = 0.2;

export interface RegressionVerdict {
  readonly regressed: boolean;
  /** Median of every RTO but the last; undefined with fewer than two values. */
  readonly medianMs: number | undefined;
  readonly latestMs: number | undefined;
}

/** Pure: rtos oldest first; the last one regressed when it exceeds the median of the earlier ones by > 20%. */
export function detectRegression(rtos: readonly number[]): RegressionVerdict {
  const latestMs = rtos.at(-1);
  const medianMs = median(rtos.slice(0, -1));
  const regressed = latestMs !== undefined && medianMs !== undefined && latestMs > medianMs * (1 + REGRESSION_THRESHOLD);
  return { regressed, medianMs, latestMs };
}

/** A run header from history: its `rehearsal` carries the outcome and the measured RTO (run.json). */
export type HistoryRun = RunMeta;

export interface TrendPoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly rtoMs: number;
  readonly outcome: RehearsalOutcome | undefined;
  /** The run the report is about (the HTML report's own run). */
  readonly current: boolean;
}

/**
 * Pure: the one definition of "the RTO trend of a runbook": its runs with a measured RTO (any outcome:
 * a rehearsal failed for a budget overrun still measured one), oldest first. `drctl history` and the
 * HTML report both use it, so both flag the same regression.
 */
export function rehearsalTrend(runs: readonly HistoryRun[], runbookName: string): TrendPoint[] {
  return runs
    .filter((m) => m.runbook.name === runbookName && m.rehearsal?.rtoMs !== undefined)
    .map((m) => ({ runId: m.runId, startedAt: m.startedAt, rtoMs: m.rehearsal?.rtoMs ?? 0, outcome: m.rehearsal?.outcome, current: false }))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
}

/** Pure: the RTO series for the report's trend chart: earlier rehearsals of its runbook, then this run last. */
export function rtoTrend(report: RunReport, history: readonly HistoryRun[]): readonly TrendPoint[] {
  const started = Date.parse(report.run.startedAt);
  const earlier = history.filter((m) => m.runId !== report.run.runId && !(Date.parse(m.startedAt) > started));
  const past = rehearsalTrend(earlier, report.run.runbook.name);
  const rto = report.rehearsal?.rto;
  if (!rto) return past;
  return [
    ...past,
    { runId: report.run.runId, startedAt: report.run.startedAt, rtoMs: rto.totalMs, outcome: report.rehearsal?.outcome, current: true },
  ];
}

/** "RTO regression: 5.80s is 43% above the median 4.05s of earlier rehearsals (threshold 20%)", or undefined. */
export function regressionText(v: RegressionVerdict): string | undefined {
  if (!v.regressed || v.latestMs === undefined || v.medianMs === undefined) return undefined;
  return `RTO regression: ${formatDuration(v.latestMs)} is ${percentAbove(v.latestMs, v.medianMs)}% above the median ${formatDuration(v.medianMs)} of earlier rehearsals (threshold ${Math.round(REGRESSION_THRESHOLD * 100)}%)`;
}

/** How far `value` is above `base`, in whole percent (negative when below). */
export const percentAbove = (value: number, base: number): number => (base > 0 ? Math.round((value / base - 1) * 100) : 0);
