import { ALREADY_AS_BEFORE, type EngineEvent } from '../../model/events.js';
import { formatDuration } from '../../util/duration.js';
import type { Style } from './style.js';

/** One human line per event that matters (the plain renderer and the listr2 view share these words). */
export function eventLine(e: EngineEvent, st: Style): string | undefined {
  switch (e.type) {
    case 'run.started':
      return `${st.bold('▶')} ${e.mode} ${st.bold(e.runbook.name)} as run ${e.runId} (${e.steps.length} steps)${e.lost?.length ? `\n${lostLine(e.lost)}` : ''}`;
    case 'run.resumed':
      return e.done.length > 0 ? `${st.dim('=')} done by an earlier process: ${e.done.join(', ')}` : undefined;
    case 'check.passed':
      return `${st.green('✓')} ${e.group} ${e.name} (${formatDuration(e.durationMs)})`;
    case 'check.failed':
      return `${st.red('✗')} ${e.group} ${e.name}: ${e.detail}`;
    case 'step.started':
      return e.attempt > 1 ? `${st.cyan('→')} ${e.stepId} attempt ${e.attempt}` : `${st.cyan('→')} ${e.stepId}`;
    case 'step.progress':
      return `  ${e.stepId}: ${e.message}`;
    case 'step.intent':
      return `  ${e.stepId}: ${e.describe}`;
    case 'step.skipped':
      return `${st.dim('=')} ${e.stepId} skipped: ${e.reason}`;
    case 'step.applied':
      return `${st.green('✓')} ${e.stepId}: ${e.describe}${notWaitedLine(e.stepId, e.notes)}`;
    case 'step.retrying':
      return `${st.yellow('↻')} ${e.stepId} retry ${e.attempt} in ${formatDuration(e.delayMs)}: ${e.error.message}`;
    case 'step.failed':
      return `${st.red('✗')} ${e.stepId} failed in ${e.error.phase}: ${e.error.message}${notWaitedLine(e.stepId, e.notes)}`;
    case 'step.cancelled':
      return `${st.yellow('-')} ${e.stepId} ${e.reason}`;
    case 'step.timing':
      return e.timing.startedAt ? `  ${e.stepId} took ${formatDuration(e.timing.durationMs)} (${phaseText(e.timing.phases)})` : undefined;
    case 'rollback.started':
      return `${st.bold('↩')} rolling back ${e.steps.length} step(s): ${e.reason}`;
    case 'step.rolled-back':
      // an undo that found the step as it was did nothing: it never says it ran a command
      return e.changed === false
        ? `${st.dim('=')} ${e.stepId} ${ALREADY_AS_BEFORE}`
        : `${st.green('↩')} ${e.stepId} rolled back in ${formatDuration(e.durationMs)}: ${e.describe}`;
    case 'step.rollback-failed':
      return `${st.red('✗')} ${e.stepId} rollback failed: ${e.error.message}`;
    case 'budget.exceeded':
      return `${st.red('⏱')} ${e.message}`;
    case 'fault.intent':
      return `${st.red('⚡')} t0: injecting the fault: ${e.describe}`;
    case 'fault.injected':
      return `${st.red('⚡')} fault in place: ${e.describe}${e.lost?.length ? `\n${lostLine(e.lost)}` : ''}`;
    case 'fault.detected':
      return `${st.yellow('!')} fault detected by ${e.probe} after ${formatDuration(e.afterMs)}`;
    case 'rehearsal.recovered':
      return `${st.green('✓')} recovered: steady state holds again, RTO ${formatDuration(e.rtoMs)}`;
    case 'fault.restored':
      return e.ok ? `${st.green('↩')} fault restored: ${e.describe}` : `${st.red('✗')} restoring the fault failed: ${e.describe}`;
    case 'stop.breached':
      return `${st.red('■')} stop condition ${e.name} breached: ${e.detail}; aborting (restore, fail back)`;
    case 'rehearsal.skipped':
      return `${st.yellow('=')} rehearsal SKIPPED: ${e.reason}`;
    case 'run.interrupted':
      return `${st.yellow('!')} ${e.signal}: no new step will start (again to cancel running steps)`;
    case 'run.finished': {
      // a rollback's line says what the rollback did, not the run's status (a killed rehearsal stays interrupted)
      if (e.rollback)
        return `${e.rollback === 'succeeded' ? st.green('■') : st.red('■')} rollback ${e.rollback === 'failed' ? 'incomplete' : e.rollback} in ${formatDuration(e.durationMs)}`;
      const mark = e.status === 'succeeded' ? st.green('■') : st.red('■');
      const cp =
        e.summary.criticalPath.length > 0
          ? `; critical path ${e.summary.criticalPath.join(' → ')} ${formatDuration(e.summary.criticalPathMs)}`
          : '';
      return `${mark} ${e.status} in ${formatDuration(e.durationMs)}${cp}${e.summary.error ? `\n  ${e.summary.error}` : ''}`;
    }
    default:
      return undefined;
  }
}

function phaseText(phases: Readonly<Partial<Record<string, number>>>): string {
  return Object.entries(phases)
    .map(([k, v]) => `${k} ${formatDuration(v ?? 0)}`)
    .join(', ');
}

/** The run's lost data centers, said once at the start of its live output (and in a plan). */
export const lostLine = (lost: readonly string[]): string => `lost: ${lost.join(', ')} — the switch does not wait on members there`;

/** A step's members in lost data centers it did not wait for (its notes …NotWaitedFor): every view names them. */
export function notWaitedNames(notes: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(notes)
    .filter(([k, v]) => k.endsWith('NotWaitedFor') && Array.isArray(v))
    .flatMap(([, v]) => (v as unknown[]).map(memberName));
}

/** ...as a line of its own under the step's (the plain view). */
function notWaitedLine(stepId: string, notes: Readonly<Record<string, unknown>>): string {
  const names = notWaitedNames(notes);
  return names.length > 0 ? `\n  ${stepId}: not waited for (in a lost data center): ${names.join(', ')}` : '';
}

const memberName = (m: unknown): string => {
  if (typeof m === 'string') return m;
  const o = (m ?? {}) as { name?: unknown; addr?: unknown };
  return String(o.name ?? o.addr ?? JSON.stringify(m));
};
