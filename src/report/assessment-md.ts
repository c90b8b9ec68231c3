import { CHECK_CATEGORIES, type AssessmentDocument } from '../model/assessment.js';
import { formatDuration } from '../util/duration.js';
import { categoryCell, GLYPH, headroomText, planText, rehearsedText, rpoText, rtoText, verdictText } from './assessment-cells.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The assessment as Markdown: level, score, the scopes × checks matrix, what each loss leaves, findings, and every step's verdict. */
export function renderAssessmentMarkdown(doc: AssessmentDocument): string {
  const out: string[] = [
    `# Assessment of ${doc.topology.name}`,
    '',
    `Generated ${doc.generatedAt} in ${formatDuration(doc.durationMs)} from ${doc.catalog.runbooks.length} runbooks (${doc.catalog.scenarios.map((s) => s.name).join(', ') || 'no scenarios'}).`,
    '',
  ];
  if (doc.level && doc.score) {
    out.push(`**Level ${doc.level.level}**: ${doc.level.name} — ${doc.level.reason}.`, '');
    out.push(
      `**Score ${doc.score.value}/100** (${Object.entries(doc.score.byClass)
        .map(([c, v]) => `${c} ${v}`)
        .join(', ')}).`,
      '',
    );
  }
  const head = ['scope', 'plan', ...CHECK_CATEGORIES, 'verdict', 'RPO', 'headroom', 'RTO', 'rehearsed'];
  out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const s of doc.scopes) {
    const cells = CHECK_CATEGORIES.map((c) => GLYPH[categoryCell(s, c).verdict]);
    out.push(
      `| ${[s.id, planText(s), ...cells, verdictText(s), rpoText(s), headroomText(s), rtoText(s), rehearsedText(s)].map(cell).join(' | ')} |`,
    );
  }
  out.push(
    '',
    `${GLYPH.ok} the step would succeed · ${GLYPH.fail} it would fail · ${GLYPH.unknown} cannot be judged · ${GLYPH.none} no step of that kind`,
    '',
  );
  const leaving = doc.scopes.filter((s) => s.leaves.length > 0 && s.verdict !== 'not-survivable');
  if (leaving.length > 0) {
    out.push('## What each loss leaves', '');
    for (const s of leaving)
      out.push(
        `- **${s.id}**: ${s.leaves.map((l) => l.text).join('; ')}${s.oneFailureFromDataLoss ? ' — one failure from data loss' : ''}`,
      );
    out.push('');
  }
  out.push('## Findings', '');
  out.push(...(doc.findings.length === 0 ? ['None: every scope survives within budget.'] : doc.findings.map((f) => `- ${f.message}`)), '');
  out.push('## Steps', '');
  for (const s of doc.scopes) {
    out.push(`### ${s.label}: ${verdictText(s)}`, '', s.why, '');
    if (s.steps.length === 0) continue;
    out.push('| runbook | step | kind | verdict | why |', '|---|---|---|---|---|');
    for (const x of s.steps)
      out.push(`| ${[x.runbook, x.step, x.kind, `${GLYPH[x.verdict]} ${x.verdict}`, x.reason].map(cell).join(' | ')} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
