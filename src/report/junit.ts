import type { RunReport } from './build-report.js';
import { rtoBreakdownLine, rtoHeadline } from './rehearsal-text.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const sec = (ms: number): string => (ms / 1000).toFixed(3);

/** JUnit XML: one testcase per step with its time, so CI shows a drill like a test run. */
export function renderJunit(r: RunReport): string {
  const m = r.run;
  // a step over its budget is a finding (its testcase's system-out), not a failure: the run's objective is the runbook's budget
  const failed = (s: RunReport['steps'][number]): boolean => s.status === 'failed' || s.rollback?.status === 'failed';
  const h = r.rehearsal;
  const extra = h ? 1 : 0;
  const rehearsalFailed = h !== undefined && (h.outcome === 'FAILED' || h.outcome === 'INTERRUPTED');
  const failures = r.steps.filter(failed).length + r.checks.filter((c) => !c.ok).length + (rehearsalFailed ? 1 : 0);
  const skipped = r.steps.filter((s) => s.status === 'skipped' || s.status === 'cancelled' || s.status === 'waiting').length + (h?.outcome === 'SKIPPED' ? 1 : 0);
  const suite = `drctl.${m.mode}.${m.runbook.name}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="drctl" tests="${r.steps.length + r.checks.length + extra}" failures="${failures}" time="${sec(m.durationMs ?? 0)}">`,
    `  <testsuite name="${esc(suite)}" tests="${r.steps.length + r.checks.length + extra}" failures="${failures}" skipped="${skipped}" time="${sec(m.durationMs ?? 0)}" timestamp="${esc(m.startedAt)}">`,
    `    <properties><property name="runId" value="${esc(m.runId)}"/><property name="status" value="${esc(m.status)}"/>${rehearsalProperties(r)}</properties>`,
  ];
  if (h) {
    const rtoSec = h.rto ? sec(h.rto.totalMs) : '0.000';
    lines.push(`    <testcase classname="${esc(`${suite}.rehearsal`)}" name="${esc(`rehearsal ${h.outcome ?? 'unknown'}: ${rtoHeadline(h)}`)}" time="${rtoSec}">`);
    const why = h.reasons.length > 0 ? h.reasons.join('; ') : (h.outcome ?? 'unknown');
    if (rehearsalFailed) lines.push(`      <failure message="${esc(why)}"/>`);
    else if (h.outcome === 'SKIPPED') lines.push(`      <skipped message="${esc(h.skippedReason ?? why)}"/>`);
    const breakdown = rtoBreakdownLine(h);
    if (breakdown) lines.push(`      <system-out>${esc(`RTO ${breakdown}`)}</system-out>`);
    lines.push('    </testcase>');
  }
  for (const c of r.checks) {
    // the same probe checked before the fault, once recovered and after fail-back: one testcase per phase
    lines.push(`    <testcase classname="${esc(`${suite}.${c.group}`)}" name="${esc(c.phase === undefined ? c.name : `${c.name} (${c.phase})`)}" time="${sec(c.durationMs)}">`);
    if (!c.ok) lines.push(`      <failure message="${esc(c.detail)}"/>`);
    lines.push('    </testcase>');
  }
  for (const s of r.steps) {
    lines.push(`    <testcase classname="${esc(`${suite}.steps`)}" name="${esc(`${s.id} (${s.kind})`)}" time="${sec(s.durationMs)}">`);
    if (s.status === 'failed') lines.push(`      <failure message="${esc(`${s.error?.phase ?? ''} failed: ${s.error?.message ?? ''}`)}"/>`);
    else if (s.rollback?.status === 'failed') lines.push(`      <failure message="${esc(`rollback failed: ${s.rollback.message}`)}"/>`);
    else if (s.status !== 'applied') lines.push(`      <skipped message="${esc(s.describe ?? s.status)}"/>`);
    const out = [s.describe, s.overBudget ? `over budget: ${s.overBudget.message}` : undefined].filter((x) => x !== undefined);
    if (out.length > 0) lines.push(`      <system-out>${esc(out.join('\n'))}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}

function rehearsalProperties(r: RunReport): string {
  const h = r.rehearsal;
  if (!h) return '';
  const props: [string, string][] = [['rehearsal.outcome', h.outcome ?? 'unknown']];
  if (h.rto) {
    props.push(['rto.totalMs', String(Math.round(h.rto.totalMs))], ['rto.detectionMs', String(Math.round(h.rto.detectionMs))]);
    props.push(['rto.switchMs', String(Math.round(h.rto.switchMs))], ['rto.convergenceMs', String(Math.round(h.rto.convergenceMs))]);
    for (const [id, ms] of Object.entries(h.rto.steps)) props.push([`rto.step.${id}Ms`, String(Math.round(ms))]);
  }
  if (h.budgetMs !== undefined) props.push(['rto.budgetMs', String(h.budgetMs)]);
  return props.map(([k, v]) => `<property name="${esc(k)}" value="${esc(v)}"/>`).join('');
}
