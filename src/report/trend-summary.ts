import type { RehearsalOutcome } from '../model/events.js';
import { formatDuration } from '../util/duration.js';
import { median } from '../util/stats.js';
import { detectRegression, percentAbove, REGRESSION_THRESHOLD, type RegressionVerdict, type TrendPoint } from './regression.js';

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** The sparkline shows at most this many of the latest rehearsals. */
export const SPARKLINE_MAX = 20;

/** "▂▁▁▂█": one block per value, scaled between the smallest and the largest (all equal → middle blocks). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const top = BLOCKS.length - 1;
  return values.map((v) => BLOCKS[hi === lo ? Math.floor(top / 2) : Math.round(((v - lo) / (hi - lo)) * top)] ?? '?').join('');
}

/** One runbook's RTO trend, as `drctl history` prints it (text) and returns it (--json). */
export interface TrendSummary {
  readonly runbook: string;
  /** Rehearsals with a measured RTO, oldest first. */
  readonly points: readonly TrendPoint[];
  readonly minMs: number;
  readonly maxMs: number;
  /** Median of every measured RTO (the regression check uses the median of the earlier ones). */
  readonly medianMs: number;
  readonly last: { readonly runId: string; readonly rtoMs: number; readonly outcome: RehearsalOutcome | undefined };
  readonly verdict: RegressionVerdict;
}

/** Pure: the summary of a non-empty trend (rehearsalTrend's points); undefined when no RTO was measured. */
export function summarizeTrend(runbook: string, points: readonly TrendPoint[]): TrendSummary | undefined {
  const last = points.at(-1);
  if (!last) return undefined;
  const rtos = points.map((p) => p.rtoMs);
  return {
    runbook,
    points,
    minMs: Math.min(...rtos),
    maxMs: Math.max(...rtos),
    medianMs: median(rtos) ?? last.rtoMs,
    last: { runId: last.runId, rtoMs: last.rtoMs, outcome: last.outcome },
    verdict: detectRegression(rtos),
  };
}

/**
 * "city-cut  ▂▁▁▂█  5 rehearsals · min 3.90s · median 4.10s · last 5.80s (FAILED) · REGRESSION: +43% over the
 * median 4.05s of earlier rehearsals (threshold 20%)".
 */
export function trendLine(t: TrendSummary, nameWidth = t.runbook.length): string {
  const shown = t.points.slice(-SPARKLINE_MAX);
  const spark = `${sparkline(shown.map((p) => p.rtoMs))}${t.points.length > shown.length ? ` (last ${shown.length})` : ''}`;
  const n = t.points.length;
  const parts = [
    `${n} rehearsal${n === 1 ? '' : 's'}`,
    `min ${formatDuration(t.minMs)}`,
    `median ${formatDuration(t.medianMs)}`,
    `last ${formatDuration(t.last.rtoMs)}${t.last.outcome ? ` (${t.last.outcome})` : ''}`,
    verdictText(t.verdict),
  ];
  return `${t.runbook.padEnd(nameWidth)}  ${spark}  ${parts.join(' · ')}`;
}

function verdictText(v: RegressionVerdict): string {
  const threshold = `threshold ${Math.round(REGRESSION_THRESHOLD * 100)}%`;
  if (v.medianMs === undefined || v.latestMs === undefined) return 'no regression check yet (needs 2 rehearsals)';
  const pct = percentAbove(v.latestMs, v.medianMs);
  const signed = `${pct >= 0 ? '+' : ''}${pct}%`;
  return v.regressed
    ? `REGRESSION: ${signed} over the median ${formatDuration(v.medianMs)} of earlier rehearsals (${threshold})`
    : `no regression (${signed} vs median ${formatDuration(v.medianMs)} of earlier, ${threshold})`;
}
