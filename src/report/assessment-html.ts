import { CHECK_CATEGORIES, type AssessmentDocument, type ScopeAssessment } from '../model/assessment.js';
import { formatDuration } from '../util/duration.js';
import { categoryCell, GLYPH, headroomText, planText, rehearsedText, rpoText, rtoText, verdictText } from './assessment-cells.js';
import { esc } from './html-escape.js';
import { HTML_STYLE } from './html-style.js';

/** The heat map's colours (also read by the Chromium test): passing, failing, unknown, nothing there. */
export const HEAT = { ok: '#a5d6a7', fail: '#ef9a9a', unknown: '#ffe082', none: '#eeeeee' } as const;

export const HEAT_STYLE = `
table.heat td.c{text-align:center;font-weight:700;min-width:56px}
.h-ok{background:${HEAT.ok}}.h-fail{background:${HEAT.fail}}.h-unknown{background:${HEAT.unknown}}.h-none{background:${HEAT.none};color:#999}
.level{font-size:20px;margin:8px 0}.lv{display:inline-block;padding:2px 12px;border-radius:12px;color:#fff;font-weight:700}
.lv-L0{background:#c62828}.lv-L1{background:#ef6c00}.lv-L2{background:#2e7d32}.lv-L3{background:#1b5e20}
details{margin:4px 0}summary{cursor:default;font-weight:600}
`;

const verdictClass = (s: ScopeAssessment): string =>
  s.plan.status === 'plan' && s.verdict === 'survivable'
    ? 'h-ok'
    : s.verdict === 'data-loss' && s.plan.status === 'plan'
      ? 'h-unknown'
      : 'h-fail';

export function heatMatrix(doc: AssessmentDocument): string {
  const head = `<tr><th>scope</th><th>plan</th>${CHECK_CATEGORIES.map((c) => `<th>${esc(c)}</th>`).join('')}<th>verdict</th><th>RPO</th><th>headroom</th><th>RTO</th><th>rehearsed</th></tr>`;
  const rows = doc.scopes.map((s) => {
    const cells = CHECK_CATEGORIES.map((c) => {
      const cell = categoryCell(s, c);
      return `<td class="c h-${cell.verdict}" data-check="${esc(c)}" data-verdict="${cell.verdict}" title="${esc(cell.title)}">${GLYPH[cell.verdict]}</td>`;
    }).join('');
    const headroomBad = s.headroom !== null && s.headroom.pct < doc.options.minHeadroomPct;
    return (
      `<tr data-scope="${esc(s.id)}"><td><b>${esc(s.id)}</b></td><td class="${s.plan.status === 'plan' ? '' : 'h-fail'}">${esc(planText(s))}</td>${cells}` +
      `<td class="${verdictClass(s)}" data-verdict="${esc(s.verdict)}" title="${esc(s.why)}">${esc(verdictText(s))}</td><td class="n">${esc(rpoText(s))}</td>` +
      `<td class="n${headroomBad ? ' h-fail' : ''}">${esc(headroomText(s))}</td><td class="n${s.withinBudget === false ? ' h-fail' : ''}">${esc(rtoText(s))}</td><td>${esc(rehearsedText(s))}</td></tr>`
    );
  });
  return `<table id="heat-map" class="heat"><thead>${head}</thead><tbody>${rows.join('\n')}</tbody></table>`;
}

export function scopeDetails(s: ScopeAssessment): string {
  const steps = s.steps.map(
    (x) =>
      `<tr class="${x.verdict === 'ok' ? '' : 'bad'}"><td>${esc(x.runbook)}</td><td>${esc(x.step)}</td><td>${esc(x.kind)}</td><td class="c h-${x.verdict}">${GLYPH[x.verdict]} ${esc(x.verdict)}</td><td>${esc(x.reason)}</td></tr>`,
  );
  const table =
    steps.length === 0
      ? ''
      : `<table><thead><tr><th>runbook</th><th>step</th><th>kind</th><th>verdict</th><th>why</th></tr></thead><tbody>${steps.join('')}</tbody></table>`;
  const leaves =
    s.leaves.length === 0
      ? ''
      : `<p class="meta">Leaves: ${esc(s.leaves.map((l) => l.text).join('; '))}${s.oneFailureFromDataLoss ? ' — <b>one failure from data loss</b>' : ''}</p>`;
  return `<details data-scope-details="${esc(s.id)}"><summary>${esc(s.label)}: ${esc(verdictText(s))}</summary><p>${esc(s.why)}</p>${leaves}${table}</details>`;
}

/** One self-contained HTML file (inline CSS, no script, no network): level, score, the scopes × checks heat map, findings, every step. */
export function renderAssessmentHtml(doc: AssessmentDocument): string {
  const title = `${doc.topology.name} — assessment`;
  const level =
    doc.level && doc.score
      ? `<p id="level" class="level"><span class="lv lv-${esc(doc.level.level)}">${esc(doc.level.level)}</span> ${esc(doc.level.name)} <span class="meta">— ${esc(doc.level.reason)}</span></p>` +
        `<p id="score" class="headline">Score <b>${doc.score.value}/100</b> <span class="meta">(${esc(
          Object.entries(doc.score.byClass)
            .map(([c, v]) => `${c} ${v}`)
            .join(', '),
        )})</span></p>`
      : '';
  const findings =
    doc.findings.length === 0
      ? '<p class="ok">No findings: every scope survives within budget.</p>'
      : `<ul id="findings">${doc.findings.map((f) => `<li class="bad" data-finding="${esc(f.key)}">${esc(f.message)}</li>`).join('')}</ul>`;
  return htmlPage(
    title,
    `data-level="${esc(doc.level?.level ?? '')}" data-findings="${doc.findings.length}"`,
    `<header><h1>${esc(doc.topology.name)} <span class="meta">· assessment</span></h1>
<p class="meta">generated ${esc(doc.generatedAt)} in ${esc(formatDuration(doc.durationMs))} · topology ${esc(doc.topology.file)} · ${doc.catalog.runbooks.length} runbooks · scenarios ${esc(doc.catalog.scenarios.map((s) => `${s.name} (${s.lost.join(', ')})`).join('; ') || 'none')}</p>
${level}</header>
<section id="matrix-section"><h2>Scopes × checks</h2><div class="scroll">${heatMatrix(doc)}</div>
${HEAT_LEGEND}</section>
<section id="findings-section"><h2>Findings (${doc.findings.length})</h2>${findings}</section>
<section id="steps-section"><h2>Every scope</h2>${doc.scopes.map(scopeDetails).join('\n')}</section>`,
  );
}

export const HEAT_LEGEND =
  '<p class="legend"><span><i class="sw h-ok"></i>would succeed</span><span><i class="sw h-fail"></i>would fail / not survivable</span><span><i class="sw h-unknown"></i>cannot be judged / data loss</span><span><i class="sw h-none"></i>no step of that kind</span> (hover a cell for why)</p>';

/** One self-contained page: inline CSS only, a CSP that forbids fetching anything. */
export function htmlPage(title: string, bodyAttributes: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${HTML_STYLE}${HEAT_STYLE}</style></head>
<body ${bodyAttributes}>
${content}
</body></html>
`;
}
