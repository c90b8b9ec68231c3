import type { RunReport } from './build-report.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const sec = (ms: number): string => (ms / 1000).toFixed(3);

/** JUnit XML: one testcase per step with its time, so CI shows a drill like a test run. */
export function renderJunit(r: RunReport): string {
  const m = r.run;
  const failed = (s: RunReport['steps'][number]): boolean => s.status === 'failed' || s.overBudget !== undefined || s.rollback?.status === 'failed';
  const failures = r.steps.filter(failed).length + r.checks.filter((c) => !c.ok).length;
  const skipped = r.steps.filter((s) => s.status === 'skipped' || s.status === 'cancelled' || s.status === 'waiting').length;
  const suite = `drctl.${m.mode}.${m.runbook.name}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="drctl" tests="${r.steps.length + r.checks.length}" failures="${failures}" time="${sec(m.durationMs ?? 0)}">`,
    `  <testsuite name="${esc(suite)}" tests="${r.steps.length + r.checks.length}" failures="${failures}" skipped="${skipped}" time="${sec(m.durationMs ?? 0)}" timestamp="${esc(m.startedAt)}">`,
    `    <properties><property name="runId" value="${esc(m.runId)}"/><property name="status" value="${esc(m.status)}"/></properties>`,
  ];
  for (const c of r.checks) {
    lines.push(`    <testcase classname="${esc(`${suite}.${c.group}`)}" name="${esc(c.name)}" time="${sec(c.durationMs)}">`);
    if (!c.ok) lines.push(`      <failure message="${esc(c.detail)}"/>`);
    lines.push('    </testcase>');
  }
  for (const s of r.steps) {
    lines.push(`    <testcase classname="${esc(`${suite}.steps`)}" name="${esc(`${s.id} (${s.kind})`)}" time="${sec(s.durationMs)}">`);
    if (s.status === 'failed') lines.push(`      <failure message="${esc(`${s.error?.phase ?? ''} failed: ${s.error?.message ?? ''}`)}"/>`);
    else if (s.overBudget) lines.push(`      <failure message="${esc(s.overBudget.message)}"/>`);
    else if (s.rollback?.status === 'failed') lines.push(`      <failure message="${esc(`rollback failed: ${s.rollback.message}`)}"/>`);
    else if (s.status !== 'applied') lines.push(`      <skipped message="${esc(s.describe ?? s.status)}"/>`);
    if (s.describe) lines.push(`      <system-out>${esc(s.describe)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}
