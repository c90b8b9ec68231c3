import { CHECK_CATEGORIES, type AssessmentDocument, type ScopeAssessment } from '../../model/assessment.js';
import {
  categoryCell,
  GLYPH,
  headroomText,
  planText,
  rehearsedText,
  rpoText,
  rtoText,
  verdictText,
} from '../../report/assessment-cells.js';
import { formatDuration } from '../../util/duration.js';
import type { Style } from './style.js';

const HEAD = [
  'SCOPE',
  'PLAN',
  ...CHECK_CATEGORIES.map((c) => c.toUpperCase().slice(0, 5)),
  'VERDICT',
  'RPO',
  'HEADROOM',
  'RTO',
  'REHEARSED',
];

function row(s: ScopeAssessment, st: Style): { plain: string[]; styled: string[] } {
  const cells = CHECK_CATEGORIES.map((c) => categoryCell(s, c).verdict);
  const plain = [
    s.id,
    planText(s),
    ...cells.map((v) => GLYPH[v]),
    verdictText(s),
    rpoText(s),
    headroomText(s),
    rtoText(s),
    rehearsedText(s),
  ];
  const paint = (v: string): string =>
    v === 'ok' ? st.green(GLYPH.ok) : v === 'fail' ? st.red(GLYPH.fail) : v === 'unknown' ? st.yellow(GLYPH.unknown) : st.dim(GLYPH.none);
  const verdict =
    s.verdict === 'survivable' && s.plan.status === 'plan'
      ? st.green(plain[2 + cells.length] ?? '')
      : st.red(plain[2 + cells.length] ?? '');
  const styled = [
    s.id,
    s.plan.status === 'plan' ? (plain[1] ?? '') : st.red(plain[1] ?? ''),
    ...cells.map(paint),
    verdict,
    ...plain.slice(3 + cells.length),
  ];
  return { plain, styled };
}

/** The human view: one row per scope (heat-map columns as glyphs), then the level, the score, what each loss leaves, and the findings. */
export function renderAssessment(doc: AssessmentDocument, st: Style): string {
  const rows = doc.scopes.map((s) => row(s, st));
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => (r.plain[i] ?? '').length)));
  const line = (plain: readonly string[], styled: readonly string[]): string =>
    styled
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - (plain[i] ?? '').length)))
      .join('  ')
      .trimEnd();
  const dcs = doc.topology.cities.flatMap((c) => c.dcs).length;
  const out = [
    `Assessment of ${st.bold(doc.topology.name)} (${doc.topology.cities.length} cities, ${dcs} data centers): ${doc.catalog.runbooks.length} runbooks, ${doc.catalog.scenarios.length} scenarios, ${doc.scopes.length} scopes (${formatDuration(doc.durationMs)})`,
    '',
    line(
      HEAD,
      HEAD.map((h) => st.dim(h)),
    ),
    ...rows.map((r) => line(r.plain, r.styled)),
    '',
  ];
  if (doc.level && doc.score) {
    out.push(`Level ${st.bold(doc.level.level)}: ${doc.level.name} — ${doc.level.reason}`);
    const by = Object.entries(doc.score.byClass)
      .map(([c, v]) => `${c} ${v}`)
      .join(', ');
    out.push(`Score ${st.bold(`${doc.score.value}/100`)} (${by}): plans, verified by rehearsals within ${doc.options.freshDays} days`);
    out.push('');
  }
  const leaving = doc.scopes.filter((s) => s.leaves.length > 0 && s.verdict !== 'not-survivable');
  if (leaving.length > 0) {
    out.push('What each loss leaves:');
    for (const s of leaving)
      out.push(
        `  ${s.id}: ${s.leaves.map((l) => l.text).join('; ')}${s.oneFailureFromDataLoss ? st.yellow(' — one failure from data loss') : ''}`,
      );
    out.push('');
  }
  out.push(
    doc.findings.length === 0
      ? st.green('No findings: every scope survives within budget.')
      : `${st.red(`${doc.findings.length} finding(s):`)}`,
  );
  for (const f of doc.findings) out.push(`  ${f.message}`);
  return out.join('\n');
}
