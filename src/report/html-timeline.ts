import { formatDuration } from '../util/duration.js';
import type { RunReport, StepReport } from './build-report.js';
import { esc, num } from './html-escape.js';
import { ms, tickLabel, tickStep, timeScale, type TimeScale } from './svg-scale.js';
import { budgetLine, marks, rollbackBar, stepBudget, stepStart, switchBars, type Bar, type Mark } from './timeline-model.js';

export const PHASE_COLOURS = { observe: '#5b8fd0', apply: '#f0a030', verify: '#3fae6e', rollback: '#9c6ade' } as const;

const W = 1240;
const LEFT = 210;
const RIGHT = 120;
const TOP = 64;
const ROW = 30;
const BAR = 16;
const SECTION = 26;

/** The Gantt chart of a run as inline SVG: a row per step, phase bars, retries, budgets, marks, fail-back rows. */
export function renderTimeline(r: RunReport): string {
  const critical = new Set(r.run.summary?.criticalPath ?? []);
  const rolled = r.steps
    .flatMap((s) => {
      const bar = rollbackBar(s);
      return bar ? [{ s, bar }] : [];
    })
    .sort((a, b) => a.bar.start - b.bar.start);
  const allMarks = marks(r);
  const t0 = ms(r.rehearsal?.t0);
  const budget = budgetLine(r);
  const budgetAt = budget?.at;
  const times = [
    ms(r.run.startedAt),
    ms(r.run.endedAt),
    budgetAt,
    ...allMarks.map((m) => m.at),
    ...r.steps.flatMap((s) => switchBars(s).flatMap((b) => [b.start, b.end])),
    ...rolled.flatMap(({ bar }) => [bar.start, bar.end]),
    ...r.steps.flatMap((s) => {
      const st = stepStart(s);
      const b = stepBudget(r, s);
      return st !== undefined && b !== undefined ? [st + b] : [];
    }),
  ].filter((t): t is number => t !== undefined);
  if (times.length === 0) return '<p class="empty">No timing recorded.</p>';
  const tMin = Math.min(...times);
  const tMax = Math.max(...times);
  const sc = timeScale(tMin, tMax + (tMax - tMin) * 0.01, LEFT, W - RIGHT);
  const switchTop = TOP + SECTION;
  const failTop = switchTop + r.steps.length * ROW + (rolled.length > 0 ? SECTION : 0);
  const bottom = failTop + rolled.length * ROW + 8;
  const height = bottom + 28;
  const out: string[] = [
    `<svg id="timeline" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="timeline">`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#d62728" fill-opacity="0.55"/></pattern></defs>',
  ];
  out.push(axis(sc, tMin, TOP, bottom));
  out.push(sectionHeader('switch', switchTop - 8, 'section-switch'));
  r.steps.forEach((s, i) => out.push(stepRow(r, s, switchTop + i * ROW, i, critical.has(s.id), sc)));
  if (rolled.length > 0) {
    out.push(sectionHeader('fail-back (rollback)', failTop - 8, 'section-failback'));
    rolled.forEach(({ s, bar }, i) => out.push(rollbackRow(s, bar, failTop + i * ROW, i, sc)));
  }
  const recovered = ms(r.rehearsal?.recoveredAt);
  if (t0 !== undefined) {
    const end = recovered ?? tMax;
    out.push(
      `<rect id="outage-window" x="${num(sc.x(t0))}" y="${TOP}" width="${num(sc.w(end - t0))}" height="${bottom - TOP}" fill="#e53935" fill-opacity="0.08" pointer-events="none"><title>outage: t0 (the cut) → recovered</title></rect>`,
    );
  }
  const over = r.failures.some((c) => c.type === 'budget' && c.subject === 'switch');
  const budgetMark: readonly Mark[] =
    budget !== undefined
      ? [
          {
            id: 'mark-budget',
            at: budget.at,
            label: `${budget.label} ${formatDuration(budget.at - budget.from)}${over ? ' (exceeded)' : ''}`,
            colour: over ? '#d62728' : '#444',
          },
        ]
      : [];
  out.push(markLines([...allMarks, ...budgetMark], sc, bottom));
  out.push('</svg>');
  return out.join('\n');
}

function axis(sc: TimeScale, tMin: number, top: number, bottom: number): string {
  const step = tickStep(sc.t1 - sc.t0);
  const parts: string[] = ['<g class="axis">'];
  for (let d = 0; tMin + d <= sc.t1; d += step) {
    const x = num(sc.x(tMin + d));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#e3e3e3"/><text x="${x}" y="${bottom + 12}" text-anchor="middle" class="tick">${esc(tickLabel(d))}</text>`,
    );
  }
  parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${bottom}" y2="${bottom}" stroke="#999"/></g>`);
  return parts.join('');
}

const sectionHeader = (label: string, y: number, id: string): string =>
  `<text id="${id}" x="8" y="${y}" class="section">${esc(label)}</text><line x1="8" x2="${W - 8}" y1="${y + 4}" y2="${y + 4}" stroke="#bbb"/>`;

function barRect(b: Bar, y: number, sc: TimeScale, critical: boolean, extra = ''): string {
  const x = sc.x(b.start);
  const w = Math.max(2, sc.w(b.end - b.start));
  const stroke = !b.ok
    ? ' stroke="#b71c1c" stroke-width="1.5"'
    : critical
      ? ' stroke="#111" stroke-width="2"'
      : ' stroke="#fff" stroke-width="0.5"';
  const fill = PHASE_COLOURS[b.phase];
  const tip = `${b.phase}${b.attempt > 1 ? ` (attempt ${b.attempt})` : ''}: ${formatDuration(b.end - b.start)}${b.ok ? '' : ', failed'}`;
  const cls = `bar${critical ? ' critical' : ''}${b.ok ? '' : ' failed'}`;
  const rect = `<rect class="${cls}" data-phase="${b.phase}" data-attempt="${b.attempt}"${extra} x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${BAR}" rx="2" fill="${fill}"${stroke}><title>${esc(tip)}</title></rect>`;
  return b.ok
    ? rect
    : `${rect}<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${BAR}" fill="url(#hatch)" pointer-events="none"/>`;
}

function rowFrame(i: number, y: number, label: string, sub: string, critical: boolean): string {
  const bg = i % 2 === 0 ? '#fafafa' : '#ffffff';
  const weight = critical ? ' font-weight="700"' : '';
  const stripe = critical ? `<rect x="0" y="${y - 6}" width="5" height="${ROW}" fill="#c2185b"/>` : '';
  return (
    `<rect x="0" y="${y - 6}" width="${W}" height="${ROW}" fill="${bg}" class="row-bg"/>${stripe}` +
    `<text x="12" y="${y + 12}" class="step-label"${weight}>${esc(label)}</text><text x="${LEFT - 8}" y="${y + 12}" class="step-kind" text-anchor="end">${esc(sub)}</text>`
  );
}

function stepRow(r: RunReport, s: StepReport, y: number, i: number, critical: boolean, sc: TimeScale): string {
  const cls = `step-row${critical ? ' critical' : ''}`;
  const parts = [`<g class="${cls}" data-step="${esc(s.id)}" data-status="${esc(s.status)}">`, rowFrame(i, y, s.id, s.kind, critical)];
  const bars = switchBars(s);
  for (const b of bars) parts.push(barRect(b, y, sc, critical));
  for (const rt of s.retries ?? []) {
    const at = ms(rt.at);
    if (at === undefined) continue;
    const x = sc.x(at);
    parts.push(
      `<g class="retry" data-retry="${rt.attempt}"><line x1="${num(x)}" x2="${num(x + sc.w(rt.delayMs))}" y1="${y + BAR / 2}" y2="${y + BAR / 2}" stroke="#b71c1c" stroke-width="1.5" stroke-dasharray="3 2"/>` +
        `<text x="${num(x + sc.w(rt.delayMs) / 2)}" y="${y - 1}" text-anchor="middle" class="retry-label">↻ retry ${rt.attempt}</text><title>${esc(`retry ${rt.attempt} after ${formatDuration(rt.delayMs)}: ${rt.message}`)}</title></g>`,
    );
  }
  const start = stepStart(s);
  const budget = stepBudget(r, s);
  if (start !== undefined && budget !== undefined) {
    const x = num(sc.x(start + budget));
    const over = s.overBudget !== undefined;
    const colour = over ? '#d62728' : '#333';
    parts.push(
      `<g class="step-budget${over ? ' over' : ''}" data-budget-step="${esc(s.id)}"><line x1="${x}" x2="${x}" y1="${y - 4}" y2="${y + BAR + 4}" stroke="${colour}" stroke-width="2"/>` +
        `<path d="M${x} ${y - 4} l-4 -5 h8 z" fill="${colour}"/><title>${esc(`budget ${formatDuration(budget)}${over ? ' — exceeded' : ''}`)}</title></g>`,
    );
  }
  const barEnd = bars.length > 0 ? Math.max(...bars.map((b) => b.end)) : undefined;
  const end = barEnd === undefined ? undefined : Math.max(barEnd, start !== undefined && budget !== undefined ? start + budget : barEnd);
  if (end !== undefined) {
    const label = `${formatDuration(s.durationMs)}${s.attempts > 1 ? ` ×${s.attempts}` : ''}${s.status === 'failed' ? ' failed' : ''}${s.overBudget ? ' ⚠ over budget' : ''}`;
    parts.push(
      `<text x="${num(sc.x(end) + 6)}" y="${y + 12}" class="dur${s.overBudget || s.status === 'failed' ? ' bad' : ''}">${esc(label)}</text>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

function rollbackRow(s: StepReport, bar: Bar, y: number, i: number, sc: TimeScale): string {
  const ok = s.rollback?.status !== 'failed';
  return (
    `<g class="rollback-row" data-rollback-step="${esc(s.id)}" data-status="${ok ? 'rolled-back' : 'rollback-failed'}">${rowFrame(i, y, s.id, 'rollback', false)}` +
    `${barRect(bar, y, sc, false)}<text x="${num(sc.x(bar.end) + 6)}" y="${y + 12}" class="dur${ok ? '' : ' bad'}">${esc(`${formatDuration(bar.end - bar.start)}${ok ? '' : ' failed'}`)}</text></g>`
  );
}

function markLines(list: readonly Mark[], sc: TimeScale, bottom: number): string {
  const sorted = [...list].sort((a, b) => a.at - b.at);
  let lastX = -Infinity;
  let level = 0;
  return sorted
    .map((m) => {
      const x = sc.x(m.at);
      level = x - lastX < 170 ? (level + 1) % 3 : 0;
      lastX = x;
      const ly = 16 + level * 15;
      const anchor = x > W - RIGHT - 60 ? 'end' : 'start';
      const dx = anchor === 'end' ? -4 : 4;
      const dash = m.id === 'mark-budget' ? ' stroke-dasharray="6 4"' : '';
      return (
        `<g id="${esc(m.id)}" class="mark" data-mark="${esc(m.id.replace(/^mark-/, ''))}"><line x1="${num(x)}" x2="${num(x)}" y1="${ly + 3}" y2="${bottom}" stroke="${m.colour}" stroke-width="2"${dash}/>` +
        `<text x="${num(x + dx)}" y="${ly}" text-anchor="${anchor}" fill="${m.colour}" class="mark-label">${esc(m.label)}</text></g>`
      );
    })
    .join('\n');
}
