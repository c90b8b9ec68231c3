import { formatDuration } from '../util/duration.js';
import type { RunReport } from './build-report.js';
import { esc } from './html-escape.js';
import { checkGroupText } from './rehearsal-text.js';
import { ms } from './svg-scale.js';
import { stepBudget, stepStart } from './timeline-model.js';

const d = (v: number | undefined): string => (v === undefined ? '' : esc(formatDuration(v)));

/** Steps with their times: start (from t0 or run start), duration, phases, attempts, budget, rollback. */
export function renderStepTable(r: RunReport): string {
  const origin = ms(r.rehearsal?.t0) ?? ms(r.run.startedAt);
  const critical = new Set(r.run.summary?.criticalPath ?? []);
  const head = `<tr><th>step</th><th>kind</th><th>status</th><th>start (${r.rehearsal?.t0 ? 't0+' : 'run+'})</th><th>time</th><th>observe</th><th>apply</th><th>verify</th><th>attempts</th><th>budget</th><th>rollback</th><th>what</th></tr>`;
  const rows = r.steps.map((s) => {
    const start = stepStart(s);
    const startText = start !== undefined && origin !== undefined ? d(start - origin) : '';
    const budget = stepBudget(r, s);
    const what = s.error ? `<strong>${esc(s.error.phase)} failed:</strong> ${esc(s.error.message)}` : esc(s.describe ?? '');
    const rb = s.rollback ? `${esc(s.rollback.status)} ${d(s.rollback.durationMs)}` : '';
    const cls = [critical.has(s.id) ? 'critical' : '', s.status === 'failed' || s.overBudget ? 'bad' : ''].filter(Boolean).join(' ');
    return `<tr data-step-row="${esc(s.id)}"${cls ? ` class="${cls}"` : ''}><td>${esc(s.id)}</td><td>${esc(s.kind)}</td><td>${esc(s.status)}</td><td class="n">${startText}</td><td class="n">${d(s.durationMs)}</td>`
      + `<td class="n">${d(s.phases.observe)}</td><td class="n">${d(s.phases.apply)}</td><td class="n">${d(s.phases.verify)}</td><td class="n">${s.attempts}</td>`
      + `<td class="n">${d(budget)}${s.overBudget ? ' ⚠' : ''}</td><td>${rb}</td><td>${what}</td></tr>`;
  });
  return `<table id="steps-table"><thead>${head}</thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/** Readiness and steady-state checks (before and after). */
export function renderChecksTable(r: RunReport): string {
  if (r.checks.length === 0) return '<p class="empty">No checks recorded.</p>';
  const rows = r.checks.map((c) =>
    `<tr class="${c.ok ? 'ok' : 'bad'}" data-check="${esc(c.name)}"><td>${esc(checkGroupText(c))}</td><td>${esc(c.name)}</td><td>${c.ok ? 'passed' : 'FAILED'}</td><td>${esc(c.at)}</td><td class="n">${d(c.durationMs)}</td><td>${esc(c.detail)}</td></tr>`);
  return `<table id="checks-table"><thead><tr><th>group</th><th>check</th><th>result</th><th>at</th><th>time</th><th>detail</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}
