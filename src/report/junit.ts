import type { RunReport } from './build-report.js';
import { junitCases, type TestCase } from './junit-cases.js';

const esc = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
/** An attribute keeps its line breaks (a parser would fold a raw newline into a space). */
const attr = (s: string): string => esc(s).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
const sec = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/**
 * JUnit XML as Jenkins, GitLab and junitparser read it: one testsuite of testcases (see junit-cases.ts),
 * each `<failure type message>` with the details (phase, attempts, the command's stderr tail) as its text.
 */
export function renderJunit(r: RunReport): string {
  const m = r.run;
  const cases = junitCases(r);
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const suite = `drctl.${m.mode}.${m.runbook.name}`;
  const time = sec(m.durationMs ?? 0);
  const counts = `tests="${cases.length}" failures="${failures}" errors="0"`;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="drctl" ${counts} time="${time}">`,
    `  <testsuite name="${attr(suite)}" ${counts} skipped="${skipped}" time="${time}" timestamp="${attr(m.startedAt)}" hostname="${attr(m.host)}">`,
    `    <properties>${properties(r)
      .map(([k, v]) => `<property name="${attr(k)}" value="${attr(v)}"/>`)
      .join('')}</properties>`,
    ...cases.map(testcase),
    '  </testsuite>',
    '</testsuites>',
  ];
  return `${out.join('\n')}\n`;
}

function testcase(c: TestCase): string {
  const time = c.timeMs === undefined ? '' : ` time="${sec(c.timeMs)}"`;
  const inner: string[] = [];
  if (c.failure)
    inner.push(`      <failure type="${attr(c.failure.type)}" message="${attr(c.failure.message)}">${esc(c.failure.body)}</failure>`);
  if (c.skipped !== undefined) inner.push(`      <skipped message="${attr(c.skipped)}"/>`);
  if (c.out) inner.push(`      <system-out>${esc(c.out)}</system-out>`);
  const open = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}"${time}`;
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function properties(r: RunReport): [string, string][] {
  const m = r.run;
  const props: [string, string][] = [
    ['runId', m.runId],
    ['mode', m.mode],
    ['status', m.status],
    ['runbook', m.runbook.name],
  ];
  if (m.summary?.error) props.push(['error', m.summary.error]);
  if (r.lost.length > 0) props.push(['lost', r.lost.join(',')]);
  const h = r.rehearsal;
  if (!h) return r.budgets.switchMs === undefined ? props : [...props, ['budget.switchMs', String(r.budgets.switchMs)]];
  props.push(['rehearsal.outcome', h.outcome ?? 'unknown']);
  if (h.rto) {
    props.push(['rto.totalMs', String(Math.round(h.rto.totalMs))], ['rto.detectionMs', String(Math.round(h.rto.detectionMs))]);
    props.push(['rto.switchMs', String(Math.round(h.rto.switchMs))], ['rto.convergenceMs', String(Math.round(h.rto.convergenceMs))]);
    for (const [id, ms] of Object.entries(h.rto.steps)) props.push([`rto.step.${id}Ms`, String(Math.round(ms))]);
  }
  if (h.budgetMs !== undefined) props.push(['rto.budgetMs', String(h.budgetMs)]);
  return props;
}
