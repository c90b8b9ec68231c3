import { formatDuration } from '../util/duration.js';
import type { RunReport } from './build-report.js';
import { checkGroupText, rtoBreakdownLine, rtoHeadline, sinceT0 } from './rehearsal-text.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown report: header, per-step timing table with phases, checks, rollbacks, budgets. */
export function renderMarkdown(r: RunReport): string {
  const m = r.run;
  const out = [
    `# ${m.mode} of ${m.runbook.name}: ${m.status}`,
    '',
    `- run: \`${m.runId}\``,
    `- started: ${m.startedAt}, ended: ${m.endedAt ?? '(still running)'}, duration: ${formatDuration(m.durationMs ?? 0)}`,
    `- by ${m.user}@${m.host} (pid ${m.pid}); runbook ${m.runbook.file} (sha256 ${m.runbook.hash.slice(0, 12)})`,
  ];
  if (m.halves) out.push(`- switch: ${m.halves.switch}; fail-back: ${m.halves.failBack}`);
  if (m.summary?.criticalPath.length) out.push(`- critical path: ${m.summary.criticalPath.join(' → ')} (${formatDuration(m.summary.criticalPathMs)})`);
  if (m.summary?.error) out.push(`- error: ${m.summary.error}`);
  out.push(...rehearsalLines(r));
  out.push('', '## Steps', '', '| step | kind | status | time | observe | apply | verify | attempts | what |', '|---|---|---|---:|---:|---:|---:|---:|---|');
  for (const s of r.steps) {
    const p = (k: 'observe' | 'apply' | 'verify'): string => (s.phases[k] === undefined ? '' : formatDuration(s.phases[k] ?? 0));
    const what = s.error ? `**${s.error.phase} failed:** ${s.error.message}` : (s.describe ?? '');
    const budget = s.overBudget ? ` ⚠ ${s.overBudget.message}` : '';
    out.push(`| ${s.id} | ${s.kind} | ${s.status} | ${formatDuration(s.durationMs)} | ${p('observe')} | ${p('apply')} | ${p('verify')} | ${s.attempts} | ${cell(what + budget)} |`);
  }
  const rolled = r.steps.filter((s) => s.rollback);
  if (rolled.length > 0) {
    out.push('', '## Rollback / fail-back', '', '| step | result | time | what |', '|---|---|---:|---|');
    for (const s of rolled) out.push(`| ${s.id} | ${s.rollback?.status ?? ''} | ${formatDuration(s.rollback?.durationMs ?? 0)} | ${cell(s.rollback?.message ?? '')} |`);
  }
  if (r.checks.length > 0) {
    out.push('', '## Checks', '', '| group | check | result | time | detail |', '|---|---|---|---:|---|');
    for (const c of r.checks) out.push(`| ${cell(checkGroupText(c))} | ${cell(c.name)} | ${c.ok ? 'passed' : 'FAILED'} | ${formatDuration(c.durationMs)} | ${cell(c.detail)} |`);
  }
  const notes = r.steps.filter((s) => Object.keys(s.notes).length > 0);
  if (notes.length > 0) {
    out.push('', '## Notes', '');
    for (const s of notes) out.push(`- ${s.id}: ${Object.entries(s.notes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  }
  if (r.budgetOverruns.length > 0) out.push('', '## Budget overruns', '', ...r.budgetOverruns.map((b) => `- ${b}`));
  return `${out.join('\n')}\n`;
}

function rehearsalLines(r: RunReport): string[] {
  const h = r.rehearsal;
  if (!h) return [];
  const out = ['', '## Rehearsal', '', `- outcome: **${h.outcome ?? 'unknown'}**, ${rtoHeadline(h)}`];
  const breakdown = rtoBreakdownLine(h);
  if (breakdown) out.push(`- RTO breakdown: ${breakdown}`);
  if (h.skippedReason) out.push(`- skipped: ${cell(h.skippedReason)}`);
  if (h.t0) out.push(`- t0 (the cut: the fault's apply started) at ${h.t0}${h.fault ? `: ${cell(h.fault)}` : ''}`);
  if (h.injectedAt) out.push(`- fault in place at ${h.injectedAt}${sinceT0(h, h.injectedAt)}`);
  else if (h.t0) out.push('- the fault was never verified in place (its injection failed or was cut short)');
  if (h.detectedAt) out.push(`- detected at ${h.detectedAt}${sinceT0(h, h.detectedAt)}${h.detectedBy ? ` by ${cell(h.detectedBy)}` : ''}`);
  if (h.recoveredAt) out.push(`- recovered at ${h.recoveredAt}${sinceT0(h, h.recoveredAt)}`);
  if (h.restoredAt) out.push(`- fault restored at ${h.restoredAt}${sinceT0(h, h.restoredAt)}${h.restoreOk === false ? ' — **restore FAILED**' : ''}`);
  for (const b of h.stopBreaches) out.push(`- stop condition breached: ${cell(b.name)} at ${b.at}: ${cell(b.detail)}`);
  for (const reason of h.reasons) out.push(`- ${cell(reason)}`);
  return out;
}
