import type { Command } from 'commander';
import path from 'node:path';
import { REGRESSION_THRESHOLD, percentAbove, rehearsalTrend, type RegressionVerdict } from '../../report/regression.js';
import { summarizeTrend, trendLine, type TrendSummary } from '../../report/trend-summary.js';
import { openStateStore } from '../../state/open-store.js';
import type { InspectionMeta } from '../../model/inspection.js';
import { takenOverBy, type RunMeta } from '../../model/records.js';
import { formatDuration } from '../../util/duration.js';
import type { Diagnostic } from '../../util/diagnostic.js';
import { ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';
import { unreadableRuns } from '../unreadable-runs.js';

export interface HistoryFlags {
  readonly runbook?: string | undefined;
  readonly limit: number;
}

export interface HistoryView {
  /** The listed runs, newest first. */
  readonly runs: readonly RunMeta[];
  /** The listed inspections (drctl inspect), newest first. */
  readonly inspections?: readonly InspectionMeta[];
  /** The RTO trend of every listed runbook with a measured RTO, over all its rehearsals in the store (not only the listed ones). */
  readonly trends: readonly TrendSummary[];
}

/** Pure: what `drctl history` shows, from every run header in the store (newest first). */
export function historyView(all: readonly RunMeta[], flags: HistoryFlags, allInspections: readonly InspectionMeta[] = []): HistoryView {
  const runs = all.filter((r) => !flags.runbook || r.runbook.name === flags.runbook).slice(0, flags.limit);
  const names = [...new Set(runs.map((r) => r.runbook.name))];
  const trends = names.flatMap((name) => summarizeTrend(name, rehearsalTrend(all, name)) ?? []);
  const inspections = allInspections.filter((i) => !flags.runbook || i.runbooks.includes(flags.runbook)).slice(0, flags.limit);
  return { runs, trends, inspections };
}

/** drctl history: past runs, newest first, with outcome and duration; for rehearsals the RTO, its trend and regressions. */
export async function historyCommand(io: CliIO, flags: HistoryFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const store = await openStateStore(state);
  const [all, unreadable, inspections] = await store
    .listRuns()
    .then(async (runs) => [runs, await unreadableRuns(state, store, runs), await store.listInspections()] as const)
    .finally(() => store.close());
  // a run whose record cannot be read is not listed: say so, naming the file, instead of hiding it
  for (const u of unreadable) io.err(`warning: ${u.message}; it is left out`);
  const view = historyView(all, flags, inspections);
  if (io.json) {
    const diagnostics = unreadable.map((u): Diagnostic => ({
      severity: 'warning',
      code: 'run-record-unreadable',
      message: u.message,
      file: path.join(u.dir, 'run.json'),
      line: 0,
      column: 0,
    }));
    io.out(envelope('history', true, historyJson(view), diagnostics));
    return ExitCode.ok;
  }
  if (view.runs.length === 0 && (view.inspections ?? []).length === 0) {
    io.out(`no runs${flags.runbook ? ` of ${flags.runbook}` : ''} in ${state}`);
    return ExitCode.ok;
  }
  for (const line of historyText(view)) io.out(line);
  return ExitCode.ok;
}

/** The table (one line per run, with an RTO column for rehearsals) and one trend line per runbook. */
export function historyText(view: HistoryView): string[] {
  const rows = view.runs.map((r) => [
    r.runId,
    r.mode,
    statusCell(r, view.runs),
    r.durationMs === undefined ? '-' : formatDuration(r.durationMs),
    rtoCell(r),
    r.startedAt,
  ]);
  const head = ['RUN', 'MODE', 'STATUS', 'DURATION', 'RTO', 'STARTED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = rows.length > 0 ? [line(head), ...rows.map(line)] : [];
  if ((view.inspections ?? []).length > 0) out.push(...(out.length > 0 ? [''] : []), ...inspectionLines(view.inspections ?? []));
  if (view.trends.length > 0) {
    const w = Math.max(...view.trends.map((t) => t.runbook.length));
    out.push('', 'RTO trend (rehearsals with a measured RTO, oldest → newest):', ...view.trends.map((t) => `  ${trendLine(t, w)}`));
  }
  return out;
}

/** Inspections: id, findings (new, resolved since the one before), duration, start. */
function inspectionLines(list: readonly InspectionMeta[]): string[] {
  const rows = list.map((i) => [
    i.id,
    i.findings === 0 ? 'clean' : `${i.findings} finding${i.findings === 1 ? '' : 's'}`,
    `+${i.appeared} -${i.resolved}`,
    formatDuration(i.durationMs),
    i.startedAt,
  ]);
  const head = ['INSPECTION', 'FINDINGS', 'DRIFT', 'DURATION', 'STARTED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [head, ...rows].map((cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
}

/** A run still recorded as running whose lock another run took over reads as fenced out, naming that run. */
function statusCell(r: RunMeta, runs: readonly RunMeta[]): string {
  const taker = takenOverBy(r, runs);
  return taker ? `fenced-out (taken over by ${taker})` : r.status;
}

/** "5.80s FAILED", "- SKIPPED" (a rehearsal without a measured RTO), "-" (not a rehearsal). */
function rtoCell(r: RunMeta): string {
  const h = r.rehearsal;
  if (!h) return '-';
  return `${h.rtoMs === undefined ? '-' : formatDuration(h.rtoMs)} ${h.outcome}`;
}

/** The --json result: every listed run with its rehearsal outcome and RTO, the trends, and the regression flags. */
export function historyJson(view: HistoryView): unknown {
  const thresholdPct = Math.round(REGRESSION_THRESHOLD * 100);
  const regressed = view.trends.filter((t) => t.verdict.regressed);
  return {
    runs: view.runs.map((r) => ({
      runId: r.runId,
      runbook: r.runbook.name,
      mode: r.mode,
      status: r.status,
      startedAt: r.startedAt,
      durationMs: r.durationMs ?? null,
      ...(takenOverBy(r, view.runs) ? { takenOverBy: takenOverBy(r, view.runs) } : {}),
      outcome: r.rehearsal?.outcome ?? null,
      rtoMs: r.rehearsal?.rtoMs ?? null,
      budgetMs: r.rehearsal?.budgetMs ?? null,
      criticalPath: r.summary?.criticalPath ?? [],
      budgetExceeded: r.summary?.budgetExceeded ?? [],
    })),
    trends: view.trends.map((t) => ({
      runbook: t.runbook,
      rehearsals: t.points.length,
      minMs: t.minMs,
      maxMs: t.maxMs,
      medianMs: t.medianMs,
      last: { ...t.last, outcome: t.last.outcome ?? null },
      points: t.points.map((p) => ({ runId: p.runId, startedAt: p.startedAt, rtoMs: p.rtoMs, outcome: p.outcome ?? null })),
      regression: regressionJson(t.verdict, t.last.runId, thresholdPct),
    })),
    inspections: (view.inspections ?? []).map((i) => ({
      id: i.id,
      startedAt: i.startedAt,
      durationMs: i.durationMs,
      findings: i.findings,
      appeared: i.appeared,
      resolved: i.resolved,
      runbooks: i.runbooks,
    })),
    regression: {
      regressed: regressed.length > 0,
      thresholdPct,
      runbooks: regressed.map((t) => ({ runbook: t.runbook, ...regressionJson(t.verdict, t.last.runId, thresholdPct) })),
    },
  };
}

function regressionJson(v: RegressionVerdict, runId: string, thresholdPct: number) {
  return {
    regressed: v.regressed,
    runId,
    latestMs: v.latestMs ?? null,
    medianOfEarlierMs: v.medianMs ?? null,
    percentAbove: v.latestMs !== undefined && v.medianMs !== undefined ? percentAbove(v.latestMs, v.medianMs) : null,
    thresholdPct,
  };
}
