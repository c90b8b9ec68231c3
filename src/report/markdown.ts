import { formatDuration } from '../util/duration.js';
import type { RunReport } from './build-report.js';
import { md, mdCode } from './md-escape.js';
import { checkGroupText, rtoBreakdownLine, rtoHeadline, sinceT0 } from './rehearsal-text.js';

const d = (ms: number | undefined): string => (ms === undefined ? '' : formatDuration(ms));

/** Markdown report: header, why it failed, per-step timing table with phases and budgets, checks, rollbacks, findings. */
export function renderMarkdown(r: RunReport): string {
  const m = r.run;
  const out = [
    `# ${m.mode} of ${md(m.runbook.name)}: ${m.status}`,
    '',
    `- run: ${mdCode(m.runId)}`,
    `- started: ${md(m.startedAt)}, ended: ${m.endedAt ? md(m.endedAt) : '(still running)'}, duration: ${formatDuration(m.durationMs ?? 0)}`,
    `- by ${md(m.user)}@${md(m.host)} (pid ${m.pid}); runbook ${md(m.runbook.file)} (sha256 ${m.runbook.hash.slice(0, 12)})`,
  ];
  if (r.lost.length > 0) out.push(`- lost: ${r.lost.map(md).join(', ')} (the switch did not wait on members there)`);
  if (m.halves) out.push(`- switch: ${m.halves.switch}; fail-back: ${m.halves.failBack}`);
  if (m.summary?.criticalPath.length)
    out.push(`- critical path: ${m.summary.criticalPath.map(md).join(' → ')} (${formatDuration(m.summary.criticalPathMs)})`);
  if (r.budgets.switchMs !== undefined)
    out.push(`- budget: ${formatDuration(r.budgets.switchMs)} for the ${r.rehearsal ? 'RTO' : 'whole switch'}`);
  if (m.summary?.error) out.push(`- error: ${md(m.summary.error)}`);
  if (r.failures.length > 0) {
    out.push('', '## Why it failed', '');
    for (const c of r.failures) out.push(`- **${c.type}** ${md(c.subject)}: ${md(c.message)}`);
  }
  out.push(...rehearsalLines(r));
  out.push(
    '',
    '## Steps',
    '',
    '| step | kind | status | time | observe | apply | verify | attempts | budget | what |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const s of r.steps) {
    const p = (k: 'observe' | 'apply' | 'verify'): string => d(s.phases[k]);
    const what = s.error ? `**${s.error.phase} failed:** ${md(s.error.message)}` : md(s.describe ?? '');
    const over = s.overBudget ? ` ⚠ ${md(s.overBudget.message)}` : '';
    const budget = `${d(r.budgets.steps[s.id] ?? s.overBudget?.budgetMs)}${s.overBudget ? ' ⚠' : ''}`;
    out.push(
      `| ${md(s.id)} | ${md(s.kind)} | ${s.status} | ${formatDuration(s.durationMs)} | ${p('observe')} | ${p('apply')} | ${p('verify')} | ${s.attempts} | ${budget} | ${what}${over} |`,
    );
  }
  const rolled = r.steps.filter((s) => s.rollback);
  if (rolled.length > 0) {
    out.push('', '## Rollback / fail-back', '', '| step | result | time | what |', '|---|---|---:|---|');
    for (const s of rolled)
      out.push(
        `| ${md(s.id)} | ${s.rollback?.status ?? ''} | ${formatDuration(s.rollback?.durationMs ?? 0)} | ${md(s.rollback?.message ?? '')} |`,
      );
  }
  if (r.checks.length > 0) {
    out.push('', '## Checks', '', '| group | check | result | time | detail |', '|---|---|---|---:|---|');
    for (const c of r.checks)
      out.push(
        `| ${md(checkGroupText(c))} | ${md(c.name)} | ${c.ok ? 'passed' : 'FAILED'} | ${formatDuration(c.durationMs)} | ${md(c.detail)} |`,
      );
  }
  const notes = r.steps.filter((s) => Object.keys(s.notes).length > 0);
  if (notes.length > 0) {
    out.push('', '## Notes', '');
    for (const s of notes)
      out.push(
        `- ${md(s.id)}: ${Object.entries(s.notes)
          .map(([k, v]) => `${md(k)}=${md(JSON.stringify(v))}`)
          .join(', ')}`,
      );
  }
  if (r.budgetOverruns.length > 0)
    out.push(
      '',
      '## Budget overruns',
      '',
      ...r.budgetOverruns.map((b) => `- ${md(b)}${r.findings.includes(b) ? ' (a finding: not counted against the run)' : ''}`),
    );
  return `${out.join('\n')}\n`;
}

function rehearsalLines(r: RunReport): string[] {
  const h = r.rehearsal;
  if (!h) return [];
  const out = ['', '## Rehearsal', '', `- outcome: **${h.outcome ?? 'unknown'}**, ${md(rtoHeadline(h))}`];
  const breakdown = rtoBreakdownLine(h);
  if (breakdown) out.push(`- RTO breakdown: ${md(breakdown)}`);
  if (h.skippedReason) out.push(`- skipped: ${md(h.skippedReason)}`);
  if (h.t0) out.push(`- t0 (the cut: the fault's apply started) at ${md(h.t0)}${h.fault ? `: ${md(h.fault)}` : ''}`);
  if (h.injectedAt) out.push(`- fault in place at ${md(h.injectedAt)}${sinceT0(h, h.injectedAt)}`);
  else if (h.t0) out.push('- the fault was never verified in place (its injection failed or was cut short)');
  if (h.detectedAt)
    out.push(`- detected at ${md(h.detectedAt)}${sinceT0(h, h.detectedAt)}${h.detectedBy ? ` by ${md(h.detectedBy)}` : ''}`);
  if (h.recoveredAt) out.push(`- recovered at ${md(h.recoveredAt)}${sinceT0(h, h.recoveredAt)}`);
  if (h.restoredAt)
    out.push(`- fault restored at ${md(h.restoredAt)}${sinceT0(h, h.restoredAt)}${h.restoreOk === false ? ' — **restore FAILED**' : ''}`);
  for (const b of h.stopBreaches) out.push(`- stop condition breached: ${md(b.name)} at ${md(b.at)}: ${md(b.detail)}`);
  for (const reason of h.reasons) out.push(`- ${md(reason)}`);
  return out;
}
