import type { InspectionRecord } from '../model/inspection.js';
import { formatDuration } from '../util/duration.js';
import { HEAT_LEGEND, heatMatrix, htmlPage, scopeDetails } from './assessment-html.js';
import { esc } from './html-escape.js';
import { sinceText } from './inspection-md.js';

/** An inspection as one self-contained HTML file: findings (new, or since when), resolved ones, checks, plans, and the heat map of what the catalog covers. */
export function renderInspectionHtml(r: InspectionRecord): string {
  const findings =
    r.findingList.length === 0
      ? '<p class="ok">Clean: no findings.</p>'
      : `<table id="findings"><thead><tr><th></th><th>finding</th><th>since</th></tr></thead><tbody>${r.findingList
          .map(
            (f) =>
              `<tr class="bad" data-finding="${esc(f.key)}"><td>${r.drift.appeared.includes(f.key) ? '<b>NEW</b>' : ''}</td><td>${esc(f.message)}</td><td>${esc(sinceText(f.since))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const resolved =
    r.drift.resolved.length === 0
      ? ''
      : `<h2>Resolved since the last inspection</h2><ul id="resolved">${r.drift.resolved.map((f) => `<li class="ok">${esc(f.message)} <span class="meta">(seen since ${esc(sinceText(f.since))})</span></li>`).join('')}</ul>`;
  const checks = `<table id="checks-table"><thead><tr><th>runbook</th><th>group</th><th>check</th><th>result</th><th>detail</th></tr></thead><tbody>${r.checks
    .map(
      (c) =>
        `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${esc(c.runbook)}</td><td>${esc(c.group)}</td><td>${esc(c.name)}</td><td>${c.ok ? 'passed' : 'FAILED'}</td><td>${esc(c.detail)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const plans = `<ul id="plans">${r.plans
    .map(
      (p) =>
        `<li>${esc(p.runbook)}: ${esc(
          Object.entries(p.counts)
            .map(([k, v]) => `${v} ${k}`)
            .join(', '),
        )}${p.unobservable.map((u) => `<br><span class="bad">${esc(u.step)} cannot be observed: ${esc(u.error)}</span>`).join('')}</li>`,
    )
    .join(
      '',
    )}${r.savedPlans.map((s) => `<li class="${s.fresh ? 'ok' : 'bad'}">saved plan ${esc(s.file)} (${esc(s.runbook)}): ${s.fresh ? 'fresh' : 'STALE'}: ${esc(s.detail)}</li>`).join('')}</ul>`;
  const status = r.findings === 0 ? 'CLEAN' : 'FINDINGS';
  return htmlPage(
    `inspection ${r.id} — ${status}`,
    `data-inspection="${esc(r.id)}" data-findings="${r.findings}"`,
    `<header>
<h1>Inspection <span class="meta">· ${esc(r.id)}</span> <span class="badge ${r.findings === 0 ? 'o-succeeded' : 'o-failed'}">${status}</span></h1>
<p class="meta">${esc(r.startedAt)} by ${esc(r.user)}@${esc(r.host)} · took ${esc(formatDuration(r.durationMs))} · ${esc(r.runbooks.join(', '))} · ${r.appeared} new, ${r.resolved} resolved since ${r.drift.previous ? esc(r.drift.previous.id) : 'ever (the first inspection)'}</p>
</header>
<section><h2>Findings (${r.findings})</h2>${findings}${resolved}</section>
<section><h2>Scopes the catalog covers</h2><div class="scroll">${heatMatrix(r.assessment)}</div>${HEAT_LEGEND}${r.assessment.scopes.map(scopeDetails).join('\n')}</section>
<section><h2>Checks</h2>${checks}</section>
<section><h2>Plans</h2>${plans}</section>`,
  );
}
