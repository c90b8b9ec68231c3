import type { Command } from 'commander';
import os from 'node:os';
import { runSession } from '../../engine/session.js';
import { openStateStore } from '../../state/open-store.js';
import { holdLock } from '../../state/run-handle.js';
import { diffRunbookTexts } from '../../state/runbook-diff.js';
import { DEFAULT_LEASE_MS } from '../../state/store.js';
import { confirmationRequired, DrctlError, ExitCode } from '../../util/errors.js';
import { assertApprovable } from '../approvals.js';
import { loadValidRunbook } from '../load-runbook.js';
import { assertInputsPresent } from '../required-inputs.js';
import { buildRuntimeScope } from '../runtime-scope.js';
import type { CliIO } from '../io.js';
import { stopLeftovers } from './leftovers.js';
import { failpointsFromEnv } from '../failpoints.js';
import { decideInFlight } from './resume-in-flight.js';
import { loadRunRecord, readRunHeader } from './run-record.js';
import { leaseOf, runWithView } from './run.js';

export interface ResumeFlags {
  readonly force?: boolean;
  readonly yes?: boolean;
  readonly runbook?: string;
  readonly plugin?: string[];
  readonly approve?: string[];
  readonly lease?: string;
  readonly assumeApplied?: string[];
  readonly reapply?: string[];
}

/**
 * drctl resume RUN_ID: continue a run an earlier process left (killed, interrupted, cut off, failed).
 * The run's lock is taken first (the scope it was locked under), then its journal is read. Done steps
 * are not run again; a step with an intent and no outcome is observed again (found done: not applied
 * again, still rolled back by a drill) — one that cannot be observed needs --assume-applied or
 * --reapply; the rest run normally, with the run's recorded params.
 */
export async function resumeCommand(io: CliIO, runId: string, flags: ResumeFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const leaseMs = leaseOf(flags.lease, state) ?? DEFAULT_LEASE_MS;
  const store = await openStateStore(state);
  try {
    const header = await readRunHeader(store, runId);
    const file = flags.runbook ?? header.runbook.file;
    const { runbook, registry, text } = await loadValidRunbook(file, flags.plugin ?? []);
    assertApprovable(runbook, flags.approve ?? []);
    // records from before lock scopes were recorded: the runbook's (uninterpolated) scope
    const held = await holdLock(store, header.lockScope ?? runbook.lockScope, { runId, mode: 'resume', user: os.userInfo().username, host: os.hostname(), pid: process.pid, since: new Date().toISOString() }, leaseMs);
    try {
      await failpointsFromEnv()('resume.locked');
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
      if (meta.mode === 'drill' && (replay.rollbackFinished || meta.halves?.failBack === 'succeeded')) {
        // a controller that died after the fail-back but before writing the run's record left it "running":
        // the record is finished now (interrupted: its last checks did not run), so status stops offering it
        const switched = runbook.steps.every((st) => replay.prior.has(st.id));
        if (meta.status === 'running') {
          const { lease } = held;
          const halves = { switch: switched ? ('succeeded' as const) : ('interrupted' as const), failBack: 'succeeded' as const };
          await store.writeRunMeta({ ...meta, status: 'interrupted', endedAt: new Date().toISOString(), halves }, { scope: lease.scope, token: lease.token, runId: lease.runId });
        }
        const what = switched ? 'had switched and failed back when its controller stopped' : 'was cut off during its switch and has already failed back';
        throw new DrctlError('run-finished', ExitCode.refused, `drill ${runId} ${what}: the estate is as it was before; nothing to resume`, { hint: 'start a new drill' });
      }
      if (meta.mode === 'drill' && meta.status === 'failed') {
        throw new DrctlError('run-finished', ExitCode.refused, `drill ${runId} finished (failed) and failed back: start a new drill`);
      }
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
      // a drill that was failing back goes on failing back: nothing in flight is applied again
      const failingBack = meta.mode === 'drill' && replay.rollbackStarted;
      const decisions = failingBack ? { assumeApplied: [], reapply: [] } : decideInFlight(runId, runbook, registry, replay, scope, flags);
      const done = [...replay.prior.keys()];
      const pending = [...replay.intents.keys()].filter((id) => !decisions.assumeApplied.includes(id));
      io.err(`resuming ${meta.mode} ${runId} (${meta.status}): ${done.length} step(s) done${done.length ? ` (${done.join(', ')})` : ''}`
        + `${decisions.assumeApplied.length ? `; recorded as applied (--assume-applied): ${decisions.assumeApplied.join(', ')}` : ''}`
        + `${pending.length ? `; observing again before deciding: ${pending.join(', ')} (intent journaled, outcome not)` : ''}`
        + `${decisions.reapply.length ? `; applying again (--reapply): ${decisions.reapply.join(', ')}` : ''}`);
      if (!flags.yes) {
        if (!io.interactive) throw confirmationRequired(`resume ${runId}`);
        if (!(await io.confirm(`Resume ${meta.mode} ${runId}?`))) {
          io.err('Nothing was changed.');
          return ExitCode.refused;
        }
      }
      await stopLeftovers(io, replay.commands);
      const approved = new Set(flags.approve ?? []);
      return await runWithView(io, scope.redactText, (listeners, signals) => runSession({
        runbook, runbookText: text, registry, mode: meta.mode === 'drill' ? 'drill' : 'run', params: scope.params,
        interpolate: scope.interpolate, redact: scope.redactText, store, listeners, leaseMs, held, ...signals,
        approve: async (stepId, question) => approved.has(stepId) || (io.interactive && (await io.confirm(`[${stepId}] ${question}`))),
        resume: { meta, replay, decisions, forced: flags.force === true && (changes.length > 0 || rec.journalWarning !== undefined), runbookChanges: changes, journalWarning: rec.journalWarning },
      }));
    } finally {
      await held.release();
    }
  } finally {
    await store.close();
  }
}
