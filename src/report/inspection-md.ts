import type { InspectionRecord } from '../model/inspection.js';
import { formatDuration } from '../util/duration.js';
import { renderAssessmentMarkdown } from './assessment-md.js';

/** "2026-11-21 02:00Z": when a finding was first seen. */
export const sinceText = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')}Z`;

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** An inspection as Markdown: findings with when each was first seen, what was resolved, checks, plans, then the assessment. */
export function renderInspectionMarkdown(r: InspectionRecord): string {
  const out = [
    `# Inspection ${r.id}`,
    '',
    `${r.startedAt} by ${r.user}@${r.host}, ${formatDuration(r.durationMs)}: ${r.runbooks.join(', ')}. ${r.findings === 0 ? '**Clean.**' : `**${r.findings} finding(s)**, ${r.appeared} new, ${r.resolved} resolved since ${r.drift.previous ? `the last inspection (${r.drift.previous.id})` : 'ever (the first inspection)'}.`}`,
    '',
    '## Findings',
    '',
  ];
  if (r.findingList.length === 0) out.push('None.', '');
  else {
    out.push('| | finding | since |', '|---|---|---|');
    for (const f of r.findingList)
      out.push(`| ${r.drift.appeared.includes(f.key) ? 'NEW' : ''} | ${cell(f.message)} | ${sinceText(f.since)} |`);
    out.push('');
  }
  if (r.drift.resolved.length > 0) {
    out.push('## Resolved since the last inspection', '');
    for (const f of r.drift.resolved) out.push(`- ${f.message} (seen since ${sinceText(f.since)})`);
    out.push('');
  }
  out.push('## Checks', '', '| runbook | group | check | result | detail |', '|---|---|---|---|---|');
  for (const c of r.checks) out.push(`| ${[c.runbook, c.group, c.name, c.ok ? 'passed' : 'FAILED', c.detail].map(cell).join(' | ')} |`);
  out.push('', '## Plans', '');
  for (const p of r.plans) {
    out.push(
      `- ${p.runbook}: ${Object.entries(p.counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}${p.unobservable.map((u) => `; ${u.step} cannot be observed: ${u.error}`).join('')}`,
    );
  }
  for (const s of r.savedPlans) out.push(`- saved plan ${s.file} (${s.runbook}): ${s.fresh ? 'fresh' : 'STALE'}: ${s.detail}`);
  out.push(
    '',
    renderAssessmentMarkdown(r.assessment)
      .replace(/^# /m, '## ')
      .replace(/^(#{2,}) /gm, '#$1 '),
  );
  return `${out.join('\n').trimEnd()}\n`;
}
