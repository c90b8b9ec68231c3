import os from 'node:os';
import type { RolledBack, RunMeta } from '../model/records.js';
import { buildRuntimeScope } from '../runbook/runtime-scope.js';
import { DrctlError, ExitCode } from '../util/errors.js';
import { unrestoredFault } from './fault-restore.js';
import type { Continuation, LoadedRun, Phases, Prepared } from './phases.js';
import { mergeRolledBack, restoreLeftFault, undoOutcomes, type PendingFault } from './rollback-phases.js';
import { planUndo, type UndoPlan } from './rollback-plan.js';
import { rollbackSteps, type RollbackItem, type UndoOutcome } from './rollback.js';
import { buildSummary } from './summary.js';

/**
 * drctl rollback RUN_ID: restore a fault a dead rehearsal left in place, then undo, newest first — a run's
 * changed steps back to their before-states; a drill's or a rehearsal's every step back to its baseline
 * (rollback-plan.ts) — with the params interpolated from the saved runbook copy, the recorded params and
 * recorded outputs; journaled in the same run, under its lock.
 */
export const rollbackContinuation: Continuation = { mode: 'rollback', prepare: prepareRollback };

async function prepareRollback(run: LoadedRun): Promise<Prepared> {
  const { meta, replay, records, runbook, registry } = run;
  const runId = meta.runId;
  const scope = await buildRuntimeScope(runbook, {}, process.env, { values: replay.params });
  const plan = planUndo(runbook, replay, meta.mode);
  const items = plan.items.map((u): RollbackItem => {
    const step = runbook.steps.find((s) => s.id === u.stepId);
    const kind = registry.get(step?.kind ?? '');
    if (!step || !kind)
      throw new DrctlError('runbook-mismatch', ExitCode.invalidInput, `step "${u.stepId}" of the journal is not in the saved runbook`);
    return {
      stepId: u.stepId,
      kind,
      params: scope.interpolate(step.with, (sid) => replay.outputs.get(sid)),
      before: u.before,
      timeoutMs: step.timeoutMs,
      verifyIntervalMs: step.verifyIntervalMs,
    };
  });
  // a rehearsal cut off with its fault in place: restore the fault first, as the rehearsal itself would have
  const left = meta.mode === 'rehearse' ? unrestoredFault(records) : undefined;
  const faultKind = left && runbook.fault ? registry.get(runbook.fault.kind) : undefined;
  if (left && (!runbook.fault || !faultKind)) {
    throw new DrctlError(
      'runbook-mismatch',
      ExitCode.invalidInput,
      `run ${runId} left a fault in place (${left.describe}) but its saved runbook has no usable spec.fault to restore it with`,
    );
  }
  const pending: PendingFault | undefined =
    left && faultKind && runbook.fault
      ? { spec: runbook.fault, fault: { kind: faultKind, params: scope.interpolate(runbook.fault.with), ...left } }
      : undefined;
  // a drill or rehearsal whose controller died is finished here even when nothing needs undoing: its record must stop saying "running"
  const dead = meta.status === 'running' && meta.mode !== 'run';
  if (items.length === 0 && !pending && !dead) {
    return { action: 'none', message: `run ${runId} applied no step that is not already rolled back: nothing to roll back` };
  }
  const steps = [...(pending ? [`restore the fault (${pending.fault.describe})`] : []), ...items.map((i) => i.stepId)];
  const to =
    plan.to === 'baseline'
      ? ` (every step back to the ${meta.mode === 'rehearse' ? 'baseline observed before the fault' : 'state the drill found it in'})`
      : '';
  return {
    action: 'go',
    scope,
    announce: `rolling back run ${runId}: ${steps.join(' → ') || 'nothing left to undo'}${to}`,
    question: `Roll back ${items.length} step(s) of ${runId}?`,
    what: `roll back ${runId}`,
    leftovers: replay.commands,
    phases: rollbackPhases(meta, items, plan, pending, lastEventAt(records)),
  };
}

/** When a run whose controller died last journaled something: its end (its duration ends there, not at the rollback). */
function lastEventAt(records: LoadedRun['records']): string | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const at = (records[i] as { at?: unknown }).at;
    if (typeof at === 'string' && Number.isFinite(Date.parse(at))) return at;
  }
  return undefined;
}

function rollbackPhases(
  meta: RunMeta,
  items: readonly RollbackItem[],
  plan: UndoPlan,
  pending: PendingFault | undefined,
  lastAt: string | undefined,
): Phases {
  return {
    mode: 'rollback',
    async run(ctx) {
      const runId = meta.runId;
      const fault = pending ? await restoreLeftFault(ctx, pending) : undefined;
      const outcomes = new Map<string, UndoOutcome>();
      // the first interrupt lets the running undo end and starts no other; the second cancels it
      const back = await rollbackSteps(items, {
        reason: `drctl rollback by ${os.userInfo().username}@${os.hostname()}`,
        clock: ctx.clock,
        emit: ctx.emit,
        abort: AbortSignal.any([ctx.abort, ctx.lost]),
        halt: ctx.lost,
        stop: ctx.interrupt,
        makeContext: ctx.makeContext,
        outcomes,
      });
      const ok = back && (fault?.restored ?? true);
      const error = ok
        ? undefined
        : ctx.interrupt.aborted
          ? `rollback interrupted: what is not rolled back yet is left for \`drctl rollback ${runId}\``
          : 'ROLLBACK INCOMPLETE: see the journal (drctl report)';
      // the run's own status and error, as they were before any rollback (an earlier failed attempt overwrote the record's)
      const previous = meta.rolledBack;
      const runStatus = previous?.runStatus ?? (meta.status === 'running' ? 'interrupted' : meta.status);
      const runError = previous ? previous.runError : meta.summary?.error;
      const { error: _replaced, ...base } = meta.summary ?? buildSummary(ctx.runbook, undefined, [], error);
      const summaryError = error ?? runError;
      const summary = { ...base, ...(summaryError !== undefined ? { error: summaryError } : {}) };
      // the run keeps its own status (a killed rehearsal stays interrupted, whether or not its rollback is complete:
      // rolledBack says that); a succeeded run whose rollback is incomplete has failed. The rollback's own outcome
      // is the verdict (exit code). A signal after the last undo finished changes nothing.
      const verdict = ok ? 'succeeded' : ctx.interrupt.aborted ? 'interrupted' : 'failed';
      const status = !ok && runStatus === 'succeeded' ? verdict : runStatus;
      const latest: RolledBack = {
        at: new Date(ctx.clock.now()).toISOString(),
        ok,
        to: plan.to,
        ...undoOutcomes(outcomes),
        ...(plan.unknown.length ? { unknown: plan.unknown } : {}),
        ...(fault ? { fault } : {}),
        runStatus,
        ...(runError !== undefined ? { runError } : {}),
      };
      const rolledBack = mergeRolledBack(previous, latest);
      // a rehearsal whose controller died never wrote its outcome: it was interrupted, and rolled back (again by a later attempt)
      const rehearsal =
        meta.mode === 'rehearse' && (!meta.rehearsal || (previous && meta.rehearsal.outcome === 'INTERRUPTED'))
          ? {
              rehearsal: {
                outcome: 'INTERRUPTED' as const,
                rtoMs: undefined,
                budgetMs: ctx.runbook.budgetMs,
                reasons: [
                  `its controller stopped before the rehearsal finished; rolled back by drctl rollback${ok ? '' : ' (incomplete)'}`,
                ],
              },
            }
          : {};
      // a killed run ended with the last event it journaled (not when it was rolled back): its duration too
      const endedAt = meta.endedAt ?? lastAt ?? rolledBack.at;
      const times =
        meta.endedAt && meta.durationMs !== undefined
          ? {}
          : { endedAt, durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(meta.startedAt)) };
      return { status, summary, record: { rolledBack, ...rehearsal, ...times }, keepTimes: true, verdict };
    },
  };
}
