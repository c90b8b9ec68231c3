import type { SessionOutcome } from '../../engine/phases.js';
import type { RolledBack, RunMeta } from '../../model/records.js';
import { formatDuration } from '../../util/duration.js';
import type { Style } from './style.js';

/** The end-of-run table: every step's status and time, the critical path, budgets, the error. */
export function renderRunSummary(meta: RunMeta, st: Style): string {
  const s = meta.summary;
  const lines = [
    `${meta.mode} ${st.bold(meta.runbook.name)} ${statusText(meta.status, st)} in ${formatDuration(meta.durationMs ?? 0)} (run ${meta.runId})`,
  ];
  if (meta.halves) lines.push(`  switch: ${meta.halves.switch}, fail-back: ${meta.halves.failBack}`);
  if (meta.rehearsal) lines.push(...rehearsalLines(meta.rehearsal, st));
  if (s) {
    const width = Math.max(4, ...Object.keys(s.steps).map((k) => k.length));
    const statusWidth = Math.max(11, ...Object.values(s.steps).map((x) => x.status.length + 1));
    for (const [id, step] of Object.entries(s.steps)) {
      const over = s.budgetExceeded.includes(id) ? st.red(' over budget') : '';
      lines.push(`  ${id.padEnd(width)}  ${step.status.padEnd(statusWidth)} ${formatDuration(step.durationMs).padStart(8)}${over}`);
    }
    if (s.criticalPath.length > 0) lines.push(`  critical path: ${s.criticalPath.join(' → ')} (${formatDuration(s.criticalPathMs)})`);
    if (s.budgetExceeded.includes('(total)')) lines.push(st.red('  the switch exceeded the runbook budget'));
    if (s.error) lines.push(`  ${st.red('error:')} ${s.error}`);
  }
  lines.push(`  report: drctl report ${meta.runId} --format md|json|junit|html`);
  return lines.join('\n');
}

function rehearsalLines(r: NonNullable<RunMeta['rehearsal']>, st: Style): string[] {
  const outcome = r.outcome === 'SUCCEEDED' ? st.green(r.outcome) : r.outcome === 'SKIPPED' ? st.yellow(r.outcome) : st.red(r.outcome);
  const budget =
    r.budgetMs === undefined
      ? ''
      : ` (budget ${formatDuration(r.budgetMs)}${r.rtoMs !== undefined && r.rtoMs > r.budgetMs ? ', OVER' : ''})`;
  const lines = [`  rehearsal ${outcome}${r.rtoMs === undefined ? ', RTO not measured' : `, RTO ${formatDuration(r.rtoMs)}${budget}`}`];
  const b = r.rto;
  if (b) {
    const steps = Object.entries(b.steps)
      .map(([id, ms]) => `${id} ${formatDuration(ms)}`)
      .join(', ');
    lines.push(
      `    = ${formatDuration(b.detectionMs)} detection + ${formatDuration(b.switchMs)} switch${steps ? ` (${steps})` : ''} + ${formatDuration(b.convergenceMs)} convergence`,
    );
  }
  for (const reason of r.reasons) lines.push(`    ${r.outcome === 'SKIPPED' ? 'reason' : st.red('reason')}: ${reason}`);
  return lines;
}

const statusText = (status: string, st: Style): string =>
  status === 'succeeded' ? st.green(status) : status === 'skipped' ? st.yellow(status) : st.red(status);

/** The result a session prints: the run's table, or what a rollback did (not the run's table of steps it never ran). */
export function renderSessionSummary(outcome: Extract<SessionOutcome, { kind: 'finished' }>, st: Style): string {
  const rb = outcome.meta.rolledBack;
  return outcome.mode === 'rollback' && rb
    ? renderRollbackSummary(outcome.meta, rb, outcome.durationMs, st, outcome.verdict)
    : renderRunSummary(outcome.meta, st);
}

/** `drctl rollback`'s own account: the fault, then each step rolled back, already as before, failed, not reached. */
export function renderRollbackSummary(meta: RunMeta, rb: RolledBack, durationMs: number, st: Style, verdictOf?: string): string {
  const to =
    rb.to === 'baseline'
      ? meta.mode === 'rehearse'
        ? ': every step back to the baseline observed before the fault'
        : ': every step back to the state the drill found it in'
      : '';
  const verdict = rb.ok ? st.green('succeeded') : st.red((verdictOf ?? meta.status) === 'interrupted' ? 'interrupted' : 'incomplete');
  const lines = [
    `rollback of run ${meta.runId} (${meta.mode} of ${st.bold(meta.runbook.name)}) ${verdict} in ${formatDuration(durationMs)}${rb.ok ? to : ''}`,
  ];
  if (rb.fault)
    lines.push(rb.fault.restored ? `  fault restored: ${rb.fault.describe}` : `  ${st.red('fault NOT restored:')} ${rb.fault.describe}`);
  const list = (label: string, ids: readonly string[] | undefined, paint = (t: string) => t): void => {
    if (ids && ids.length > 0) lines.push(`  ${paint(`${label} (${ids.length}):`)} ${ids.join(', ')}`);
  };
  list('rolled back', rb.restored);
  list('already as before', rb.alreadyAsBefore);
  for (const [id, why] of Object.entries(rb.failed ?? {})) lines.push(`  ${st.red('NOT rolled back:')} ${id}: ${why}`);
  list('not reached (left for the next `drctl rollback`)', rb.notReached, st.yellow);
  list('unknown (no state recorded before the run: check by hand)', rb.unknown, st.yellow);
  if (!rb.ok && meta.summary?.error) lines.push(`  ${st.red('error:')} ${meta.summary.error}`);
  lines.push(`  report: drctl report ${meta.runId} --format md|json|junit|html`);
  return lines.join('\n');
}
