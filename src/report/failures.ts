import type { RunMeta } from '../model/records.js';
import type { RehearsalReport } from './rehearsal-section.js';

/** What made a run fail, one entry per cause: the report's headline, a failing JUnit testcase each. */
export interface FailureCause {
  /** observe/apply/verify: a step; rollback: an undo; budget, check, stop (a stop condition), fail-back, interrupted, run (anything else). */
  readonly type: 'observe' | 'apply' | 'verify' | 'rollback' | 'budget' | 'check' | 'stop' | 'fail-back' | 'interrupted' | 'run';
  /** What failed: a step id, a check "group name (phase)", a budget "switch" or "step ID", a stop condition. */
  readonly subject: string;
  readonly message: string;
}

export interface FailureInput {
  readonly run: RunMeta;
  readonly steps: readonly {
    readonly id: string;
    readonly status: string;
    readonly error?: { readonly phase: string; readonly message: string } | undefined;
    readonly rollback?: { readonly status: string; readonly message: string } | undefined;
  }[];
  readonly checks: readonly {
    readonly group: string;
    readonly phase?: string;
    readonly name: string;
    readonly ok: boolean;
    readonly detail: string;
  }[];
  readonly overruns: readonly { readonly stepId: string | undefined; readonly message: string }[];
  readonly interrupted: string | undefined;
  readonly rehearsal: RehearsalReport | undefined;
}

/** Did the run fail (or end interrupted)? A rehearsal's outcome decides for it. */
export function runFailed(run: RunMeta, rehearsal: RehearsalReport | undefined): boolean {
  const outcome = rehearsal?.outcome;
  if (outcome !== undefined) return outcome === 'FAILED' || outcome === 'INTERRUPTED';
  return run.status === 'failed' || run.status === 'interrupted';
}

/**
 * A budget overrun counts against the run when the run failed and named it among its reasons (the
 * engine's policy decides which budgets fail which mode: this reads what it decided, never guesses).
 */
export function overrunCounted(message: string, run: RunMeta, rehearsal: RehearsalReport | undefined): boolean {
  if (!runFailed(run, rehearsal)) return false;
  const reasons = [run.summary?.error ?? '', ...(rehearsal?.reasons ?? []), ...(run.rehearsal?.reasons ?? [])];
  return reasons.some((r) => r.includes(message));
}

/** Pure: every cause of a failed run (none for a run that succeeded); a failed run always has one. */
export function failureCauses(r: FailureInput): FailureCause[] {
  if (!runFailed(r.run, r.rehearsal)) return [];
  const out: FailureCause[] = [];
  for (const c of r.checks)
    if (!c.ok)
      out.push({
        type: 'check',
        subject: `${c.group} ${c.name}${c.phase && c.phase !== c.group ? ` (${c.phase})` : ''}`,
        message: c.detail,
      });
  for (const s of r.steps) {
    if (s.status === 'failed' && s.error) out.push({ type: stepType(s.error.phase), subject: s.id, message: s.error.message });
  }
  for (const b of r.overruns) {
    if (overrunCounted(b.message, r.run, r.rehearsal))
      out.push({ type: 'budget', subject: b.stepId === undefined ? 'switch' : `step ${b.stepId}`, message: b.message });
  }
  for (const b of r.rehearsal?.stopBreaches ?? [])
    out.push({ type: 'stop', subject: b.name, message: `stop condition "${b.name}" breached: ${b.detail}` });
  for (const s of r.steps) {
    if (s.rollback?.status === 'failed') out.push({ type: 'rollback', subject: s.id, message: s.rollback.message });
  }
  if (r.rehearsal?.restoreOk === false) out.push({ type: 'rollback', subject: 'fault', message: 'the fault could not be restored' });
  const failBackExplained = out.some((c) => c.type === 'rollback' || (c.type === 'check' && c.subject.endsWith('(after fail-back)')));
  if (r.run.halves?.failBack === 'failed' && !failBackExplained)
    out.push({ type: 'fail-back', subject: 'fail-back', message: r.run.summary?.error ?? 'fail-back incomplete: see the journal' });
  if (r.interrupted !== undefined) out.push({ type: 'interrupted', subject: 'run', message: `interrupted (${r.interrupted})` });
  if (out.length === 0) {
    const why =
      r.rehearsal?.reasons.join('; ') ||
      r.run.summary?.error ||
      `the ${r.run.mode === 'rehearse' ? 'rehearsal' : r.run.mode} ${r.run.status === 'interrupted' ? 'was interrupted' : r.run.status}`;
    out.push({ type: 'run', subject: 'run', message: why });
  }
  return out;
}

const stepType = (phase: string): FailureCause['type'] =>
  phase === 'observe' || phase === 'apply' || phase === 'verify' || phase === 'rollback' ? phase : 'apply';
