import type { CheckCategory, ScopeAssessment } from '../model/assessment.js';
import { formatDuration } from '../util/duration.js';

/** One heat-map cell: the worst verdict of a scope's steps in one category, and why. */
export interface Cell {
  readonly verdict: 'ok' | 'fail' | 'unknown' | 'none';
  readonly title: string;
}

const RANK = { fail: 3, unknown: 2, ok: 1, none: 0 } as const;
export const GLYPH: Readonly<Record<Cell['verdict'], string>> = { ok: '✓', fail: '✗', unknown: '?', none: '·' };

export function categoryCell(s: ScopeAssessment, category: CheckCategory): Cell {
  const steps = s.steps.filter((x) => x.category === category);
  if (steps.length === 0) return { verdict: 'none', title: s.plan.status === 'plan' ? 'no step of this kind' : '' };
  const worst = steps.reduce<Cell['verdict']>((w, x) => (RANK[x.verdict] > RANK[w] ? x.verdict : w), 'none');
  return { verdict: worst, title: steps.map((x) => `${x.runbook}/${x.step}: ${x.verdict}: ${x.reason}`).join('\n') };
}

/** survivable / DATA LOSS / NOT SURVIVABLE / NO PLAN / AMBIGUOUS. */
export function verdictText(s: ScopeAssessment): string {
  if (s.plan.status === 'none') return 'NO PLAN';
  if (s.plan.status === 'ambiguous') return 'AMBIGUOUS';
  return s.verdict === 'survivable' ? 'survivable' : s.verdict === 'data-loss' ? 'DATA LOSS' : 'NOT SURVIVABLE';
}

/** 0 / 1.5 KiB / 3 tx / unknown / - (no plan, or not survivable anyway). */
export function rpoText(s: ScopeAssessment): string {
  const d = s.dataLoss;
  if (s.plan.status !== 'plan' || s.verdict === 'not-survivable') return '-';
  if (!d) return '0';
  const parts = [
    ...(d.bytes > 0 ? [bytesText(d.bytes)] : []),
    ...(d.transactions > 0 ? [`${d.transactions} tx`] : []),
    ...(d.unknown ? ['unknown'] : []),
  ];
  return parts.length === 0 ? '0' : parts.join(' + ');
}

export const bytesText = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;

export const headroomText = (s: ScopeAssessment): string => (s.headroom ? `${s.headroom.pct}%` : '-');

/** "4.1s / 26s", "never rehearsed", "-" (no plan). Several runbooks: the slowest. */
export function rtoText(s: ScopeAssessment): string {
  if (s.plan.status !== 'plan') return '-';
  const known = s.rto.filter((r) => r.predictedMs !== null);
  if (known.length < s.rto.length || known.length === 0) return 'never rehearsed';
  const worst = [...known].sort((a, b) => (b.predictedMs ?? 0) - (a.predictedMs ?? 0))[0];
  return `${formatDuration(worst?.predictedMs ?? 0)}${worst?.budgetMs === null || worst?.budgetMs === undefined ? '' : ` / ${formatDuration(worst.budgetMs)}`}`;
}

/** "2.5 days ago", "FAILED 1 day ago", "never". */
export function rehearsedText(s: ScopeAssessment): string {
  const r = s.rehearsal;
  if (s.plan.status !== 'plan') return '-';
  const age = (iso: string | null): string => (iso === null ? '' : ` ${ageText((Date.now() - Date.parse(iso)) / 86_400_000)}`);
  if (r.latestOutcome !== null && r.latestOutcome !== 'SUCCEEDED') return `${r.latestOutcome}${age(r.latestAt)}`;
  return r.ageDays === null ? 'never' : ageText(r.ageDays);
}

const ageText = (days: number): string =>
  days < 1 / 24 ? 'just now' : days < 1 ? `${Math.round(days * 24)}h ago` : `${Math.round(days * 10) / 10} days ago`;

/** The plan column: "hangzhou-down", "hangzhou-down (covers)", "NO PLAN", "AMBIGUOUS". */
export function planText(s: ScopeAssessment): string {
  if (s.plan.status === 'none') return 'NO PLAN';
  if (s.plan.status === 'ambiguous') return `AMBIGUOUS: ${s.plan.candidates.join(' | ')}`;
  return `${s.plan.scenario ?? ''}${s.plan.match === 'covering' ? ' (covers it)' : ''}`;
}
