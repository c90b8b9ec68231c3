import { formatDuration } from '../util/duration.js';
import type { RunReport } from './build-report.js';
import { esc } from './html-escape.js';
import { checkGroupText } from './rehearsal-text.js';
import { ms } from './svg-scale.js';
import { stepBudget, stepStart } from './timeline-model.js';

const d = (v: number | undefined): string => (v === undefined ? '' : esc(formatDuration(v)));
const NUMERIC: ReadonlySet<number> = new Set([3, 4, 5, 6, 7, 8, 9]);
/** A cell that names its column (data-label): on a phone each row becomes a card of "label value" lines. */
const td = (label: string, html: string, numeric: boolean): string =>
  `<td data-label="${esc(label)}"${numeric ? ' class="n"' : ''}>${html}</td>`;

/** Steps with their times: start (from t0 or run start), duration, phases, attempts, budget, rollback. */
export function renderStepTable(r: RunReport): string {
  const origin = ms(r.rehearsal?.t0) ?? ms(r.run.startedAt);
  const critical = new Set(r.run.summary?.criticalPath ?? []);
  const cols = [
    'step',
    'kind',
    'status',
    `start (${r.rehearsal?.t0 ? 't0+' : 'run+'})`,
    'time',
    'observe',
    'apply',
    'verify',
    'attempts',
    'budget',
    'rollback',
    'what',
  ];
  const head = `<tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = r.steps.map((s) => {
    const start = stepStart(s);
    const startText = start !== undefined && origin !== undefined ? d(start - origin) : '';
    const budget = stepBudget(r, s);
    const what = s.error ? `<strong>${esc(s.error.phase)} failed:</strong> ${esc(s.error.message)}` : esc(s.describe ?? '');
    const rb = s.rollback ? `${esc(s.rollback.status)} ${d(s.rollback.durationMs)}` : '';
    const cls = [critical.has(s.id) ? 'critical' : '', s.status === 'failed' || s.overBudget?.counted ? 'bad' : '']
      .filter(Boolean)
      .join(' ');
    const cells = [
      esc(s.id),
      esc(s.kind),
      esc(s.status),
      startText,
      d(s.durationMs),
      d(s.phases.observe),
      d(s.phases.apply),
      d(s.phases.verify),
      String(s.attempts),
      `${d(budget)}${s.overBudget ? ' ⚠' : ''}`,
      rb,
      what,
    ];
    return `<tr data-step-row="${esc(s.id)}"${cls ? ` class="${cls}"` : ''}>${cells.map((c, i) => td(cols[i] ?? '', c, NUMERIC.has(i))).join('')}</tr>`;
  });
  return `<table id="steps-table" class="cards"><thead>${head}</thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/** Readiness and steady-state checks (before and after). */
export function renderChecksTable(r: RunReport): string {
  if (r.checks.length === 0) return '<p class="empty">No checks recorded.</p>';
  const cols = ['group', 'check', 'result', 'at', 'time', 'detail'];
  const rows = r.checks.map((c) => {
    const cells = [esc(checkGroupText(c)), esc(c.name), c.ok ? 'passed' : 'FAILED', esc(c.at), d(c.durationMs), esc(c.detail)];
    return `<tr class="${c.ok ? 'ok' : 'bad'}" data-check="${esc(c.name)}" data-phase="${esc(c.phase)}">${cells.map((x, i) => td(cols[i] ?? '', x, i === 4)).join('')}</tr>`;
  });
  return `<table id="checks-table" class="cards"><thead><tr>${cols.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}
