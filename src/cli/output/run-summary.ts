import type { RunMeta } from '../../state/records.js';
import { formatDuration } from '../../util/duration.js';
import type { Style } from './style.js';

/** The end-of-run table: every step's status and time, the critical path, budgets, the error. */
export function renderRunSummary(meta: RunMeta, st: Style): string {
  const s = meta.summary;
  const lines = [`${meta.mode} ${st.bold(meta.runbook.name)} ${statusText(meta.status, st)} in ${formatDuration(meta.durationMs ?? 0)} (run ${meta.runId})`];
  if (meta.halves) lines.push(`  switch: ${meta.halves.switch}, fail-back: ${meta.halves.failBack}`);
  if (s) {
    const width = Math.max(4, ...Object.keys(s.steps).map((k) => k.length));
    for (const [id, step] of Object.entries(s.steps)) {
      const over = s.budgetExceeded.includes(id) ? st.red(' over budget') : '';
      lines.push(`  ${id.padEnd(width)}  ${step.status.padEnd(11)} ${formatDuration(step.durationMs).padStart(8)}${over}`);
    }
    if (s.criticalPath.length > 0) lines.push(`  critical path: ${s.criticalPath.join(' → ')} (${formatDuration(s.criticalPathMs)})`);
    if (s.budgetExceeded.includes('(total)')) lines.push(st.red('  the switch exceeded the runbook budget'));
    if (s.error) lines.push(`  ${st.red('error:')} ${s.error}`);
  }
  lines.push(`  report: drctl report ${meta.runId} --format md|json|junit`);
  return lines.join('\n');
}

const statusText = (status: string, st: Style): string => (status === 'succeeded' ? st.green(status) : st.red(status));
