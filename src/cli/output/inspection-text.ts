import type { InspectionRecord } from '../../model/inspection.js';
import { sinceText } from '../../report/inspection-md.js';
import { verdictText } from '../../report/assessment-cells.js';
import { formatDuration } from '../../util/duration.js';
import type { Style } from './style.js';

/** The human view of an inspection: what was checked, each scope's verdict, the findings (new or since when), what was resolved. */
export function renderInspection(r: InspectionRecord, st: Style, storeLabel: string): string {
  const checks = r.checks.filter((c) => c.ok).length;
  const out = [
    `Inspection ${st.bold(r.id)} of ${r.runbooks.length} runbooks in ${formatDuration(r.durationMs)}`,
    `  checks: ${checks} passed, ${r.checks.length - checks} failed; plans: ${r.plans.map((p) => `${p.runbook} ${p.counts['change'] ?? 0} to change${p.unobservable.length > 0 ? `, ${p.unobservable.length} not observable` : ''}`).join('; ')}`,
  ];
  if (r.savedPlans.length > 0) out.push(`  saved plans: ${r.savedPlans.map((s) => `${s.file} ${s.fresh ? 'fresh' : 'STALE'}`).join('; ')}`);
  if (r.safety) {
    const { lever, paused } = r.safety;
    out.push(
      `  safety: lever ${lever?.engaged ? st.red(`ENGAGED by ${lever.by}`) : 'released'}; rehearsals paused: ${paused.length === 0 ? 'none' : st.red(paused.map((p) => `${p.runbook} (${p.runId})`).join(', '))}`,
    );
  }
  out.push(
    `  scopes: ${r.assessment.scopes.map((s) => `${s.id} ${s.verdict === 'survivable' && s.plan.status === 'plan' ? st.green(verdictText(s)) : st.red(verdictText(s))}`).join(', ')}`,
  );
  out.push('');
  if (r.findingList.length === 0) out.push(st.green('Clean: no findings.'));
  else {
    out.push(st.red(`${r.findingList.length} finding(s):`));
    for (const f of r.findingList) {
      const isNew = r.drift.appeared.includes(f.key);
      out.push(`  ${isNew ? st.yellow('NEW') : st.dim(`since ${sinceText(f.since)}`)}  ${f.message}`);
    }
  }
  if (r.drift.resolved.length > 0) {
    out.push('', `Resolved since the last inspection (${r.drift.previous?.id ?? '?'}):`);
    for (const f of r.drift.resolved) out.push(`  ${st.green('resolved')}  ${f.message} (seen since ${sinceText(f.since)})`);
  }
  out.push('', st.dim(`recorded in ${storeLabel}: drctl report ${r.id}`));
  return out.join('\n');
}
