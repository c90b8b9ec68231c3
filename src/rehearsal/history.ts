import { median } from '../util/stats.js';
import type { RunMeta } from '../model/records.js';

/** Rehearsals of one runbook, newest first (as the store lists runs). */
export const rehearsalsOf = (runs: readonly RunMeta[], runbookName: string): RunMeta[] =>
  runs.filter((r) => r.mode === 'rehearse' && r.runbook.name === runbookName);

/**
 * When the last rehearsal that actually ran started (epoch ms), for minInterval: a SKIPPED one did
 * nothing and does not count; a failed, interrupted or still-running one does (anti-flapping).
 */
export function lastRanAt(rehearsals: readonly RunMeta[]): number | undefined {
  const ran = rehearsals.filter((r) => r.rehearsal?.outcome !== 'SKIPPED' && r.status !== 'skipped').map((r) => Date.parse(r.startedAt));
  const valid = ran.filter((t) => !Number.isNaN(t));
  return valid.length === 0 ? undefined : Math.max(...valid);
}

export interface RtoPrediction {
  /** Number of earlier succeeded rehearsals with a measured RTO. */
  readonly basedOn: number;
  readonly totalMs: number;
  readonly detectionMs: number | undefined;
  readonly switchMs: number | undefined;
  readonly convergenceMs: number | undefined;
  readonly lastMs: number;
  /** Per step: the median of its share of the switch. */
  readonly steps: Readonly<Record<string, number>>;
}

/** The predicted RTO: medians over earlier succeeded rehearsals (undefined without any). */
export function predictRto(rehearsals: readonly RunMeta[]): RtoPrediction | undefined {
  const done = rehearsals.filter((r) => r.rehearsal?.outcome === 'SUCCEEDED' && r.rehearsal.rtoMs !== undefined);
  const totals = done.map((r) => r.rehearsal?.rtoMs ?? 0);
  const totalMs = median(totals);
  if (totalMs === undefined) return undefined;
  const part = (pick: (b: NonNullable<NonNullable<RunMeta['rehearsal']>['rto']>) => number | undefined): number | undefined =>
    median(done.flatMap((r) => (r.rehearsal?.rto ? [pick(r.rehearsal.rto)].filter((v): v is number => v !== undefined) : [])));
  const stepIds = new Set(done.flatMap((r) => Object.keys(r.rehearsal?.rto?.steps ?? {})));
  const steps = Object.fromEntries(
    [...stepIds].flatMap((id) => {
      const m = part((b) => b.steps[id]);
      return m === undefined ? [] : [[id, m]];
    }),
  );
  return {
    basedOn: done.length,
    totalMs,
    lastMs: totals[0] ?? totalMs,
    steps,
    detectionMs: part((b) => b.detectionMs),
    switchMs: part((b) => b.switchMs),
    convergenceMs: part((b) => b.convergenceMs),
  };
}
