import os from 'node:os';
import type { RunMeta } from '../model/records.js';
import { assertInputsPresent } from '../runbook/required-inputs.js';
import { buildRuntimeScope } from '../runbook/runtime-scope.js';
import { diffRunbookTexts } from '../state/runbook-diff.js';
import { DrctlError, ExitCode } from '../util/errors.js';
import { decideInFlight } from './in-flight-decisions.js';
import type { Continuation, LoadedRun, Prepared } from './phases.js';
import { runPhases } from './run-phases.js';

export interface ResumeFlags {
  /** Resume although the runbook changed or the journal has unreadable lines. */
  readonly force: boolean;
  readonly assumeApplied?: readonly string[] | undefined;
  readonly reapply?: readonly string[] | undefined;
}

/**
 * drctl resume RUN_ID: continue a run an earlier process left (killed, interrupted, cut off, failed).
 * The rules, applied under the run's lock to what its journal says: a rolled-back run, a rehearsal, a
 * finished drill are refused; a succeeded run has nothing to resume; a changed runbook is refused
 * without --force; in-flight steps that cannot be observed need --assume-applied or --reapply. Then the
 * run (or drill) phases go on from the journal, with the run's recorded params.
 */
export function resumeContinuation(flags: ResumeFlags): Continuation {
  return { mode: 'resume', prepare: (run) => prepareResume(run, flags) };
}

async function prepareResume(run: LoadedRun, flags: ResumeFlags): Promise<Prepared> {
  const { meta, replay, runbook, registry } = run;
  const runId = meta.runId;
  if (meta.rolledBack || (meta.mode === 'run' && replay.rollbackStarted)) {
    throw new DrctlError('run-rolled-back', ExitCode.refused, `run ${runId} was rolled back: it cannot be resumed; start a new run`);
  }
  if (meta.mode === 'rehearse') {
    throw new DrctlError(
      'rehearsal-not-resumable',
      ExitCode.refused,
      `run ${runId} is a rehearsal: a rehearsal is not resumed (its RTO would mean nothing)`,
      {
        hint: `drctl rollback ${runId} restores its fault if still in place and returns every step to the rehearsal's baseline; then rehearse again`,
      },
    );
  }
  if (meta.status === 'succeeded') return { action: 'none', message: `run ${runId} already succeeded: nothing to resume` };
  if (meta.mode === 'drill') await refuseFinishedDrill(run);
  const changes = await runbookChanges(run, flags.force);
  const scope = await buildRuntimeScope(runbook, {}, process.env, { values: replay.params });
  assertInputsPresent(runbook);
  // a drill that was failing back goes on failing back: nothing in flight is applied again
  const failingBack = meta.mode === 'drill' && replay.rollbackStarted;
  const decisions = failingBack ? { assumeApplied: [], reapply: [] } : decideInFlight(runId, runbook, registry, replay, scope, flags);
  const done = [...replay.prior.keys()];
  const pending = [...replay.intents.keys()].filter((id) => !decisions.assumeApplied.includes(id));
  const announce =
    `resuming ${meta.mode} ${runId} (${meta.status}): ${done.length} step(s) done${done.length ? ` (${done.join(', ')})` : ''}` +
    `${decisions.assumeApplied.length ? `; recorded as applied (--assume-applied): ${decisions.assumeApplied.join(', ')}` : ''}` +
    `${pending.length ? `; observing again before deciding: ${pending.join(', ')} (intent journaled, outcome not)` : ''}` +
    `${decisions.reapply.length ? `; applying again (--reapply): ${decisions.reapply.join(', ')}` : ''}`;
  const forced = flags.force && (changes.length > 0 || run.journalWarning !== undefined);
  const resumed: RunMeta = {
    ...meta,
    status: 'running',
    endedAt: undefined,
    durationMs: undefined,
    resumes: [
      ...(meta.resumes ?? []),
      { at: new Date().toISOString(), host: os.hostname(), user: os.userInfo().username, pid: process.pid, forced },
    ],
  };
  return {
    action: 'go',
    scope,
    meta: resumed,
    announce,
    question: `Resume ${meta.mode} ${runId}?`,
    what: `resume ${runId}`,
    leftovers: replay.commands,
    phases: runPhases({
      mode: meta.mode === 'drill' ? 'drill' : 'run',
      resume: { meta, replay, decisions, forced, runbookChanges: changes, journalWarning: run.journalWarning },
    }),
  };
}

/**
 * A drill whose fail-back completed, or that finished failed (and failed back), has nothing left to
 * continue. A controller that died after the fail-back but before writing the record left it "running":
 * the record is finished now (interrupted: its last checks did not run), so status stops offering it.
 */
async function refuseFinishedDrill(run: LoadedRun): Promise<void> {
  const { meta, replay, runbook, held } = run;
  const runId = meta.runId;
  if (replay.rollbackFinished || meta.halves?.failBack === 'succeeded') {
    const switched = runbook.steps.every((st) => replay.prior.has(st.id));
    if (meta.status === 'running') {
      const { lease } = held;
      const halves = { switch: switched ? ('succeeded' as const) : ('interrupted' as const), failBack: 'succeeded' as const };
      await run.store.writeRunMeta(
        { ...meta, status: 'interrupted', endedAt: new Date().toISOString(), halves },
        { scope: lease.scope, token: lease.token, runId: lease.runId },
      );
    }
    const what = switched
      ? 'had switched and failed back when its controller stopped'
      : 'was cut off during its switch and has already failed back';
    throw new DrctlError('run-finished', ExitCode.refused, `drill ${runId} ${what}: the estate is as it was before; nothing to resume`, {
      hint: 'start a new drill',
    });
  }
  if (meta.status === 'failed')
    throw new DrctlError('run-finished', ExitCode.refused, `drill ${runId} finished (failed) and failed back: start a new drill`);
}

/** What changed in the runbook since the run started; refused (exit 4) unless --force, which only warns. */
async function runbookChanges(run: LoadedRun, force: boolean): Promise<string[]> {
  const { meta, runbook } = run;
  if (runbook.hash === meta.runbook.hash) return [];
  const saved = await run.store.readRunbookCopy(meta.runId);
  const changes = saved === undefined ? ['the saved copy of the runbook is missing'] : diffRunbookTexts(saved, run.runbookText);
  const what = `the runbook changed since run ${meta.runId} started: ${changes.join('; ')}`;
  if (!force)
    throw new DrctlError('runbook-changed', ExitCode.refused, `${what}; nothing was changed`, {
      hint: `restore ${runbook.file}, or pass --force to resume with the file as it is now`,
    });
  run.note(`warning: ${what}; resuming anyway (--force)`);
  return changes;
}
