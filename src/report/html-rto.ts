import { formatDuration } from '../util/duration.js';
import type { RunReport } from './build-report.js';
import { esc, num } from './html-escape.js';
import { tickStep } from './svg-scale.js';
import { detectRegression, percentAbove, type RegressionVerdict, type TrendPoint } from './regression.js';

const W = 1000;
const STEP_SHADES = ['#f0a030', '#e08a1e', '#f5b95c', '#d9771a', '#f7c77a', '#c96a12'];

interface Part {
  readonly kind: 'detection' | 'switch' | 'convergence';
  readonly label: string;
  readonly ms: number;
  readonly colour: string;
  readonly step?: string;
}

function rtoParts(r: RunReport): readonly Part[] {
  const rto = r.rehearsal?.rto;
  if (!rto) return [];
  const crit = (r.run.summary?.criticalPath ?? []).filter((id) => rto.steps[id] !== undefined);
  const stepMs = crit.map((id) => rto.steps[id] ?? 0);
  const sum = stepMs.reduce((a, b) => a + b, 0);
  const perStep = crit.length > 0 && sum <= rto.switchMs * 1.05;
  const switchParts: Part[] = perStep
    ? crit.map((id, i) => ({
        kind: 'switch',
        label: id,
        ms: stepMs[i] ?? 0,
        colour: STEP_SHADES[i % STEP_SHADES.length] ?? '#f0a030',
        step: id,
      }))
    : [{ kind: 'switch', label: 'switch', ms: rto.switchMs, colour: '#f0a030' }];
  if (perStep && rto.switchMs - sum > rto.switchMs * 0.01)
    switchParts.push({ kind: 'switch', label: 'switch (waits)', ms: rto.switchMs - sum, colour: '#fbe0b0' });
  return [
    { kind: 'detection', label: 'detection', ms: rto.detectionMs, colour: '#ff7f0e' },
    ...switchParts,
    { kind: 'convergence', label: 'convergence', ms: rto.convergenceMs, colour: '#3fae6e' },
  ];
}

const LABEL_CHAR_PX = 6.6;
const LABEL_ROWS = 3;

/**
 * Labels under the bar: each centred under its part but kept inside the picture, on the first of three
 * rows where it does not overlap the previous label (narrow parts sit side by side).
 */
function placeLabels(): { place(centre: number, text: string): { start: number; y: number } } {
  const ends: number[] = Array.from({ length: LABEL_ROWS }, () => -Infinity);
  return {
    place(centre, text) {
      const width = text.length * LABEL_CHAR_PX;
      const start = Math.min(Math.max(2, centre - width / 2), W - 2 - width);
      const free = ends.findIndex((end) => end + 8 <= start);
      const row = free >= 0 ? free : ends.indexOf(Math.min(...ends));
      ends[row] = start + width;
      return { start, y: 70 + row * 14 };
    },
  };
}

/** The RTO as a stacked bar: detection | switch (per critical-path step) | convergence, with numbers. */
export function renderRtoBreakdown(r: RunReport): string {
  const rto = r.rehearsal?.rto;
  if (!rto) return '<p class="empty" id="rto-breakdown-missing">RTO not measured (the rehearsal did not recover).</p>';
  const parts = rtoParts(r);
  const budget = r.rehearsal?.budgetMs;
  // a budget far above the RTO would squeeze the bar into a sliver: draw it off scale instead
  const budgetOnScale = budget !== undefined && budget <= rto.totalMs * 2;
  const scaleMs = Math.max(budgetOnScale ? (budget ?? 0) : rto.totalMs * 1.15, rto.totalMs, 1);
  const left = 20;
  const width = W - 40;
  const k = width / scaleMs;
  const out = [
    `<svg id="rto-breakdown" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="118" viewBox="0 0 ${W} 118" role="img" aria-label="RTO breakdown">`,
  ];
  let x = left;
  const labels = placeLabels();
  parts.forEach((p) => {
    const w = p.ms * k;
    const narrow = w <= 70;
    const text = narrow ? `${p.label} ${formatDuration(p.ms)}` : p.label;
    const { start, y: labelY } = labels.place(x + w / 2, text);
    const stepAttr = p.step === undefined ? '' : ` data-rto-step="${esc(p.step)}"`;
    out.push(
      `<g class="rto-part" data-rto-part="${p.kind}"${stepAttr}><rect x="${num(x)}" y="20" width="${num(Math.max(w, 1))}" height="34" fill="${p.colour}" stroke="#fff"><title>${esc(`${p.label}: ${formatDuration(p.ms)}`)}</title></rect>`,
    );
    if (!narrow) out.push(`<text x="${num(x + w / 2)}" y="42" text-anchor="middle" class="in-bar">${esc(formatDuration(p.ms))}</text>`);
    out.push(
      `<line x1="${num(x + w / 2)}" x2="${num(x + w / 2)}" y1="56" y2="${labelY - 10}" stroke="#bbb"/><text x="${num(start)}" y="${labelY}" class="part-label">${esc(text)}</text></g>`,
    );
    x += w;
  });
  out.push(`<text x="${left}" y="13" class="total">RTO ${esc(formatDuration(rto.totalMs))} = detection + switch + convergence</text>`);
  if (budget !== undefined && !budgetOnScale) {
    out.push(
      `<g id="rto-budget"><text x="${left + width}" y="10" text-anchor="end" class="part-label">${esc(`budget ${formatDuration(budget)} →`)}</text></g>`,
    );
  } else if (budget !== undefined) {
    const bx = num(left + budget * k);
    const over = rto.totalMs > budget;
    out.push(
      `<g id="rto-budget"><line x1="${bx}" x2="${bx}" y1="12" y2="60" stroke="${over ? '#d62728' : '#222'}" stroke-width="2" stroke-dasharray="5 3"/><text x="${bx}" y="10" text-anchor="${budget * k > width - 80 ? 'end' : 'middle'}" class="part-label">${esc(`budget ${formatDuration(budget)}${over ? ' (exceeded)' : ''}`)}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** The RTO trend over past rehearsals of the runbook, with the median of earlier runs and the regression flag. */
export function renderTrend(
  points: readonly TrendPoint[],
  budgetMs: number | undefined,
): { readonly svg: string; readonly verdict: RegressionVerdict } {
  const verdict = detectRegression(points.map((p) => p.rtoMs));
  const H = 240;
  const L = 70;
  const R = 30;
  const T = 30;
  const B = 50;
  if (points.length === 0)
    return {
      svg: '<svg id="rto-trend" xmlns="http://www.w3.org/2000/svg" width="400" height="30"><text x="4" y="20" class="empty">No rehearsal with a measured RTO yet.</text></svg>',
      verdict,
    };
  const top = Math.max(...points.map((p) => p.rtoMs), budgetMs ?? 0, verdict.medianMs ?? 0) * 1.15 || 1;
  const yStep = tickStep(top, 5);
  const maxMs = Math.ceil(top / yStep) * yStep;
  const x = (i: number): number => (points.length === 1 ? (L + W - R) / 2 : L + (i * (W - L - R)) / (points.length - 1));
  const y = (v: number): number => T + (H - T - B) * (1 - v / maxMs);
  const out = [
    `<svg id="rto-trend" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="RTO trend" data-regressed="${verdict.regressed}">`,
  ];
  for (let v = 0; v <= maxMs; v += yStep) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${num(y(v))}" y2="${num(y(v))}" stroke="#eee"/><text x="${L - 6}" y="${num(y(v) + 4)}" text-anchor="end" class="tick">${esc(formatDuration(v))}</text>`,
    );
  }
  if (budgetMs !== undefined)
    out.push(
      `<g id="trend-budget"><line x1="${L}" x2="${W - R}" y1="${num(y(budgetMs))}" y2="${num(y(budgetMs))}" stroke="#444" stroke-dasharray="6 4"/><text x="${L + 4}" y="${num(y(budgetMs) - 4)}" class="tick">budget ${esc(formatDuration(budgetMs))}</text></g>`,
    );
  if (verdict.medianMs !== undefined) {
    const my = num(y(verdict.medianMs));
    out.push(
      `<g id="rto-median"><line x1="${L}" x2="${W - R}" y1="${my}" y2="${my}" stroke="#1f77b4" stroke-dasharray="2 3"/><text x="${L + 4}" y="${num(y(verdict.medianMs) + 14)}" class="tick" fill="#1f77b4">median of earlier ${esc(formatDuration(verdict.medianMs))}</text></g>`,
    );
  }
  out.push(
    `<polyline fill="none" stroke="#555" stroke-width="2" points="${points.map((p, i) => `${num(x(i))},${num(y(p.rtoMs))}`).join(' ')}"/>`,
  );
  points.forEach((p, i) => {
    const bad = p.current && verdict.regressed;
    const fill = bad ? '#d62728' : p.outcome === 'FAILED' ? '#ff9896' : '#1f77b4';
    out.push(
      `<g class="trend-point${p.current ? ' current' : ''}" data-run="${esc(p.runId)}" data-rto-ms="${Math.round(p.rtoMs)}"><circle cx="${num(x(i))}" cy="${num(y(p.rtoMs))}" r="${p.current ? 7 : 5}" fill="${fill}" stroke="#fff" stroke-width="1.5"><title>${esc(`${p.runId} ${p.startedAt}: RTO ${formatDuration(p.rtoMs)}${p.outcome ? ` (${p.outcome})` : ''}`)}</title></circle>` +
        `<text x="${num(x(i))}" y="${num(y(p.rtoMs) - 12)}" text-anchor="middle" class="tick">${esc(formatDuration(p.rtoMs))}</text>` +
        `<text x="${num(x(i))}" y="${H - B + 18}" text-anchor="middle" class="tick">${esc(p.startedAt.slice(0, 10))}</text></g>`,
    );
  });
  if (verdict.regressed && verdict.latestMs !== undefined && verdict.medianMs !== undefined) {
    const i = points.length - 1;
    const pct = percentAbove(verdict.latestMs, verdict.medianMs);
    out.push(
      `<g id="rto-regression" class="regression"><circle cx="${num(x(i))}" cy="${num(y(verdict.latestMs))}" r="12" fill="none" stroke="#d62728" stroke-width="2.5"/><text x="${num(x(i) - 16)}" y="${num(y(verdict.latestMs) - 22)}" text-anchor="end" fill="#d62728" font-weight="700">${esc(`REGRESSION +${pct}% vs median`)}</text></g>`,
    );
  }
  out.push('</svg>');
  return { svg: out.join('\n'), verdict };
}
