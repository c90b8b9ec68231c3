import type { Command } from 'commander';
import { runSession } from '../../engine/session.js';
import { openStateStore } from '../../state/open-store.js';
import { diffRunbookTexts } from '../../state/runbook-diff.js';
import { confirmationRequired, DrctlError, ExitCode } from '../../util/errors.js';
import { loadValidRunbook } from '../load-runbook.js';
import { assertInputsPresent } from '../required-inputs.js';
import { buildRuntimeScope } from '../runtime-scope.js';
import type { CliIO } from '../io.js';
import { loadRunRecord } from './run-record.js';
import { leaseOf, runWithView } from './run.js';

export interface ResumeFlags {
  readonly force?: boolean;
  readonly yes?: boolean;
  readonly runbook?: string;
  readonly plugin?: string[];
  readonly approve?: string[];
  readonly lease?: string;
}

/**
 * drctl resume RUN_ID: continue a run an earlier process left (killed, interrupted, cut off, failed).
 * Done steps are not run again; a step with an intent and no outcome is observed again (found done: not
 * applied again, still rolled back by a drill); the rest run normally, with the run's recorded params.
 */
export async function resumeCommand(io: CliIO, runId: string, flags: ResumeFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const leaseMs = leaseOf(flags.lease);
  const store = await openStateStore(state);
  try {
    const rec = await loadRunRecord(store, runId, flags.force === true, (t) => io.err(t));
    const { meta, replay } = rec;
    if (meta.rolledBack || (meta.mode === 'run' && replay.rollbackStarted)) {
      throw new DrctlError('run-rolled-back', ExitCode.refused, `run ${runId} was rolled back: it cannot be resumed; start a new run`);
    }
    if (meta.mode === 'rehearse') {
      throw new DrctlError('rehearsal-not-resumable', ExitCode.refused, `run ${runId} is a rehearsal: a rehearsal is not resumed (its RTO would mean nothing)`, {
        hint: `drctl rollback ${runId} restores its fault if still in place and fails back its applied steps; then rehearse again`,
      });
    }
    if (meta.status === 'succeeded') {
      io.err(`run ${runId} already succeeded: nothing to resume`);
      return ExitCode.ok;
    }
    if (meta.mode === 'drill' && meta.status === 'failed') {
      throw new DrctlError('run-finished', ExitCode.refused, `drill ${runId} finished (failed) and failed back: start a new drill`);
    }
    const file = flags.runbook ?? meta.runbook.file;
    const { runbook, registry, text } = await loadValidRunbook(file, flags.plugin ?? []);
    let changes: string[] = [];
    if (runbook.hash !== meta.runbook.hash) {
      const saved = await store.readRunbookCopy(runId);
      changes = saved === undefined ? ['the saved copy of the runbook is missing'] : diffRunbookTexts(saved, text);
      const what = `the runbook changed since run ${runId} started: ${changes.join('; ')}`;
      if (!flags.force) throw new DrctlError('runbook-changed', ExitCode.refused, `${what}; nothing was changed`, { hint: `restore ${file}, or pass --force to resume with the file as it is now` });
      io.err(`warning: ${what}; resuming anyway (--force)`);
    }
    const declared = Object.entries(replay.params).filter(([k]) => k in runbook.params);
    const scope = await buildRuntimeScope(runbook, { set: declared.map(([k, v]) => `${k}=${JSON.stringify(v)}`) });
    assertInputsPresent(runbook);
    const done = [...replay.prior.keys()];
    const pending = [...replay.intents.keys()];
    io.err(`resuming ${meta.mode} ${runId} (${meta.status}): ${done.length} step(s) done${done.length ? ` (${done.join(', ')})` : ''}${pending.length ? `; observing again before deciding: ${pending.join(', ')} (intent journaled, outcome not)` : ''}`);
    if (!flags.yes) {
      if (!io.interactive) throw confirmationRequired(`resume ${runId}`);
      if (!(await io.confirm(`Resume ${meta.mode} ${runId}?`))) {
        io.err('Nothing was changed.');
        return ExitCode.refused;
      }
    }
    const approved = new Set(flags.approve ?? []);
    return await runWithView(io, scope.redactText, (listeners, signals) => runSession({
      runbook, runbookText: text, registry, mode: meta.mode === 'drill' ? 'drill' : 'run', params: scope.params,
      interpolate: scope.interpolate, redact: scope.redactText, store, listeners, leaseMs, ...signals,
      approve: async (stepId, question) => approved.has(stepId) || (io.interactive && (await io.confirm(`[${stepId}] ${question}`))),
      resume: { meta, replay, forced: flags.force === true && (changes.length > 0 || rec.journalWarning !== undefined), runbookChanges: changes, journalWarning: rec.journalWarning },
    }));
  } finally {
    await store.close();
  }
}
