import { formatDuration } from '../util/duration.js';
import type { RehearsalReport } from './rehearsal-section.js';

/** "1.20s detection + 2.00s switch (db 1.50s, dns 500ms) + 300ms convergence" */
export function rtoBreakdownLine(r: RehearsalReport): string | undefined {
  const rto = r.rto;
  if (!rto) return undefined;
  const steps = Object.entries(rto.steps).map(([id, ms]) => `${id} ${formatDuration(ms)}`);
  const perStep = steps.length > 0 ? ` (${steps.join(', ')})` : '';
  return `${formatDuration(rto.detectionMs)} detection + ${formatDuration(rto.switchMs)} switch${perStep} + ${formatDuration(rto.convergenceMs)} convergence`;
}

/** "RTO 3.50s (budget 4.00s)" / "RTO 5.00s (budget 4.00s, OVER)" / "RTO not measured". */
export function rtoHeadline(r: RehearsalReport): string {
  if (!r.rto) return 'RTO not measured';
  if (r.budgetMs === undefined) return `RTO ${formatDuration(r.rto.totalMs)}`;
  const over = r.rto.totalMs > r.budgetMs ? ', OVER' : '';
  return `RTO ${formatDuration(r.rto.totalMs)} (budget ${formatDuration(r.budgetMs)}${over})`;
}

/** A check's group, with its phase when the group is checked more than once: "steadyState (recovered)". */
export const checkGroupText = (c: { readonly group: string; readonly phase?: string }): string =>
  c.phase === undefined || c.phase === c.group ? c.group : `${c.group} (${c.phase})`;

/** Offset of a mark from t0: "+1.20s". */
export function sinceT0(r: RehearsalReport, at: string | undefined): string {
  if (!at || !r.t0) return '';
  const ms = Date.parse(at) - Date.parse(r.t0);
  return Number.isNaN(ms) ? '' : ` (t0${ms >= 0 ? '+' : '−'}${formatDuration(Math.abs(ms))})`;
}
