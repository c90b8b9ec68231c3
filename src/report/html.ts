import { formatDuration } from '../util/duration.js';
import type { RunReport } from './build-report.js';
import { esc } from './html-escape.js';
import { renderRtoBreakdown, renderTrend } from './html-rto.js';
import { HTML_STYLE } from './html-style.js';
import { renderChecksTable, renderStepTable } from './html-tables.js';
import { renderTimeline } from './html-timeline.js';
import { regressionText, rtoTrend, type HistoryRun } from './regression.js';
import { rtoBreakdownLine, rtoHeadline, sinceT0 } from './rehearsal-text.js';

export { detectRegression, rtoTrend, type HistoryRun, type RegressionVerdict } from './regression.js';

/**
 * One self-contained HTML file (inline CSS and SVG, no script, no network, no external font):
 * header, timeline (Gantt), RTO breakdown, steps, checks and the RTO trend over `history`
 * (run headers of earlier runs; those of other runbooks or without a rehearsal RTO are ignored).
 */
export function renderHtml(report: RunReport, history: readonly HistoryRun[]): string {
  const m = report.run;
  const h = report.rehearsal;
  const trend = renderTrend(rtoTrend(report, history), h?.budgetMs);
  const v = trend.verdict;
  const flagged = regressionText(v);
  const regression =
    flagged !== undefined
      ? `<p id="regression-flag" class="regression">⚠ ${esc(flagged)}.</p>`
      : `<p id="regression-none" class="meta">No RTO regression against earlier rehearsals${v.medianMs === undefined ? ' (not enough history)' : ` (median ${esc(formatDuration(v.medianMs))})`}.</p>`;
  const outcome = h?.outcome ?? m.status;
  const title = `${m.runbook.name} — ${m.mode} — ${outcome}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${HTML_STYLE}</style></head>
<body data-run-id="${esc(m.runId)}" data-outcome="${esc(outcome)}">
<header id="report-header">
<h1>${esc(m.runbook.name)} <span class="meta">· ${esc(m.mode)}</span> <span id="outcome" class="badge o-${esc(outcome)}">${esc(outcome)}</span></h1>
${h ? `<p id="rto-headline" class="headline${h.rto && h.budgetMs !== undefined && h.rto.totalMs > h.budgetMs ? ' bad' : ''}">${esc(rtoHeadline(h))}</p>` : ''}
${h && rtoBreakdownLine(h) ? `<p class="meta">${esc(`= ${rtoBreakdownLine(h) ?? ''}`)}</p>` : ''}
<p class="meta">run <code>${esc(m.runId)}</code> · started ${esc(m.startedAt)} · ${m.durationMs === undefined ? 'still running' : `took ${esc(formatDuration(m.durationMs))}`} · by ${esc(m.user)}@${esc(m.host)} · runbook ${esc(m.runbook.file)} (sha256 ${esc(m.runbook.hash.slice(0, 12))})</p>
${report.lost.length > 0 ? `<p class="meta" id="lost">lost: ${esc(report.lost.join(', '))} (the switch did not wait on members there)</p>` : ''}
${failureLines(report)}
${faultLines(report)}
${regression}
</header>
<section id="timeline-section"><h2>Timeline</h2>
<p class="legend"><span><i class="sw sw-observe"></i>observe</span><span><i class="sw sw-apply"></i>apply</span><span><i class="sw sw-verify"></i>verify</span><span><i class="sw sw-rollback"></i>rollback (fail-back)</span><span><b style="color:#c2185b">▌bold, outlined</b> critical path</span><span>▼ step budget</span><span>┆ ${h ? 'RTO' : 'switch'} budget</span><span style="color:#b71c1c">↻ retry (backoff)</span></p>
<div class="scroll">${renderTimeline(report)}</div></section>
${h ? `<section id="rto-section"><h2>RTO breakdown</h2><div class="scroll">${renderRtoBreakdown(report)}</div></section>` : ''}
<section id="steps-section"><h2>Steps</h2>${report.budgets.switchMs !== undefined ? `<p class="meta" id="switch-budget">Budget: ${esc(formatDuration(report.budgets.switchMs))} for the ${h ? 'RTO' : 'whole switch'}.</p>` : ''}${renderStepTable(report)}</section>
<section id="checks-section"><h2>Checks</h2>${renderChecksTable(report)}</section>
<section id="trend-section"><h2>RTO trend (${esc(m.runbook.name)})</h2><div class="scroll">${trend.svg}</div></section>
</body></html>
`;
}

/** Why the run failed, first thing on the page (every cause: a step, a budget, a check, a stop condition, an undo), and the findings. */
function failureLines(r: RunReport): string {
  const parts: string[] = [];
  if (r.failures.length > 0) {
    const items = r.failures.map(
      (c) =>
        `<li class="cause" data-cause="${esc(c.type)}"><span class="cause-type">${esc(c.type)}</span> <strong>${esc(c.subject)}</strong>: ${esc(c.message)}</li>`,
    );
    parts.push(`<section id="failure-cause" class="failure"><h2>Why it failed</h2><ul>${items.join('')}</ul></section>`);
  }
  if (r.findings.length > 0) {
    parts.push(
      `<section id="findings"><h2>Findings</h2><ul>${r.findings.map((f) => `<li>${esc(f)} <span class="meta">(not counted against the run)</span></li>`).join('')}</ul></section>`,
    );
  }
  return parts.join('\n');
}

function faultLines(r: RunReport): string {
  const h = r.rehearsal;
  if (!h) return '';
  const lines: string[] = [];
  if (h.skippedReason) lines.push(`<li id="skipped-reason">skipped: ${esc(h.skippedReason)}</li>`);
  if (h.t0) lines.push(`<li>t0 (the cut: the fault's apply started) at ${esc(h.t0)}${h.fault ? `: ${esc(h.fault)}` : ''}</li>`);
  if (h.injectedAt) lines.push(`<li>fault in place${esc(sinceT0(h, h.injectedAt))}</li>`);
  else if (h.t0) lines.push('<li class="bad">the fault was never verified in place (its injection failed or was cut short)</li>');
  if (h.detectedAt)
    lines.push(`<li>detected${esc(sinceT0(h, h.detectedAt))}${h.detectedBy ? ` by probe <code>${esc(h.detectedBy)}</code>` : ''}</li>`);
  if (h.recoveredAt) lines.push(`<li>recovered (steady state holds again)${esc(sinceT0(h, h.recoveredAt))}</li>`);
  if (h.restoredAt)
    lines.push(
      `<li${h.restoreOk === false ? ' class="bad"' : ''}>fault restored${esc(sinceT0(h, h.restoredAt))}${h.restoreOk === false ? ' — RESTORE FAILED' : ''}</li>`,
    );
  for (const b of h.stopBreaches)
    lines.push(`<li class="bad">stop condition <code>${esc(b.name)}</code> breached at ${esc(b.at)}: ${esc(b.detail)}</li>`);
  for (const reason of h.reasons) lines.push(`<li class="bad reason">${esc(reason)}</li>`);
  return lines.length > 0 ? `<ul id="rehearsal-facts">${lines.join('')}</ul>` : '';
}
