import type { Command } from 'commander';
import os from 'node:os';
import { createContextFactory } from '../../engine/context.js';
import { rollbackSteps, type RollbackItem } from '../../engine/rollback.js';
import { startedSteps } from '../../engine/run-started.js';
import { buildSummary } from '../../engine/summary.js';
import { describeRestore, restoreFault } from '../../rehearsal/fault-life.js';
import { unrestoredFault } from '../../rehearsal/fault-journal.js';
import { openStateStore } from '../../state/open-store.js';
import type { RunMeta } from '../../model/records.js';
import { holdLock, lockAcquiredEvent, openRunHandle, type HeldLock } from '../../state/run-handle.js';
import { DEFAULT_LEASE_MS, type StateStore } from '../../state/store.js';
import type { KindRegistry } from '../../kinds/registry.js';
import type { Runbook } from '../../runbook/types.js';
import { realClock } from '../../util/clock.js';
import { confirmationRequired, DrctlError, ExitCode } from '../../util/errors.js';
import { buildRuntimeScope } from '../runtime-scope.js';
import type { CliIO } from '../io.js';
import { stopLeftovers } from './leftovers.js';
import { ndjsonSummary, ndjsonVersionLine } from '../output/json.js';
import { drctlVersion } from '../version.js';
import { loadRunRecord, readRunHeader } from './run-record.js';
import { leaseOf, runWithView } from './run.js';
import { loadSavedRunbook } from './saved-runbook.js';

export interface RollbackFlags {
  readonly force?: boolean;
  readonly yes?: boolean;
  readonly plugin?: string[];
  readonly lease?: string;
}

/**
 * drctl rollback RUN_ID: undo a run's applied steps (and those whose apply was cut off) in reverse order
 * of completion, back to the before-states in its journal, with params from the saved runbook, the
 * recorded params and recorded outputs; journaled in the same run, under the lock.
 */
export async function rollbackCommand(io: CliIO, runId: string, flags: RollbackFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const leaseMs = leaseOf(flags.lease, state) ?? DEFAULT_LEASE_MS;
  const store = await openStateStore(state);
  try {
    const header = await readRunHeader(store, runId);
    const text = await store.readRunbookCopy(runId);
    if (text === undefined) throw new DrctlError('runbook-missing', ExitCode.invalidInput, `run ${runId} has no saved runbook copy in ${store.label}`);
    const { runbook, registry } = await loadSavedRunbook(header.runbook.file, text, flags.plugin ?? []);
    const user = os.userInfo().username;
    const host = os.hostname();
    // the lock first (the scope the run was locked under), then the journal: nothing a just-expired holder wrote is missed
    const held = await holdLock(store, header.lockScope ?? runbook.lockScope, { runId, mode: 'rollback', user, host, pid: process.pid, since: new Date().toISOString() }, leaseMs);
    try {
      return await rollBackUnderLock(io, store, runId, flags, { runbook, registry, held, user, host, leaseMs });
    } finally {
      await held.release();
    }
  } finally {
    await store.close();
  }
}

interface Locked {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly held: HeldLock;
  readonly user: string;
  readonly host: string;
  readonly leaseMs: number;
}

async function rollBackUnderLock(io: CliIO, store: StateStore, runId: string, flags: RollbackFlags, l: Locked): Promise<ExitCode> {
  const { runbook, registry, user, host } = l;
  const { meta, replay, records } = await loadRunRecord(store, runId, flags.force === true, (t) => io.err(t));
  const declared = Object.entries(replay.params).filter(([k]) => k in runbook.params);
  const scope = await buildRuntimeScope(runbook, { set: declared.map(([k, v]) => `${k}=${JSON.stringify(v)}`) });
  const items: RollbackItem[] = [...replay.toUndo].reverse().map((u) => {
    const step = runbook.steps.find((s) => s.id === u.stepId);
    const kind = registry.get(step?.kind ?? '');
    if (!step || !kind) throw new DrctlError('runbook-mismatch', ExitCode.invalidInput, `step "${u.stepId}" of the journal is not in the saved runbook`);
    return { stepId: u.stepId, kind, params: scope.interpolate(step.with, (sid) => replay.outputs.get(sid)), before: u.before, timeoutMs: step.timeoutMs, verifyIntervalMs: step.verifyIntervalMs };
  });
  // a rehearsal cut off with its fault in place: restore the fault first, as the rehearsal itself would have
  const pendingFault = meta.mode === 'rehearse' ? unrestoredFault(records) : undefined;
  const faultKind = pendingFault && runbook.fault ? registry.get(runbook.fault.kind) : undefined;
  if (pendingFault && (!runbook.fault || !faultKind)) {
    throw new DrctlError('runbook-mismatch', ExitCode.invalidInput, `run ${runId} left a fault in place (${pendingFault.describe}) but its saved runbook has no usable spec.fault to restore it with`);
  }
  if (items.length === 0 && !pendingFault) {
    io.err(`run ${runId} applied no step that is not already rolled back: nothing to roll back`);
    // --json: still a stream a reader can parse, with the run's record as it stands
    if (io.json) io.out(`${ndjsonVersionLine(drctlVersion())}\n${ndjsonSummary(meta)}`);
    return ExitCode.ok;
  }
  io.err(`rolling back run ${runId}: ${[...(pendingFault ? [`restore the fault (${pendingFault.describe})`] : []), ...items.map((i) => i.stepId)].join(' → ')}`);
  if (!flags.yes) {
    if (!io.interactive) throw confirmationRequired(`roll back ${runId}`);
    if (!(await io.confirm(`Roll back ${items.length} step(s) of ${runId}?`))) return ExitCode.refused;
  }
  await stopLeftovers(io, replay.commands);
  const code = await runWithView(io, scope.redactText, async (listeners, signals) => {
    const t0 = realClock.monotonic();
    const run = await openRunHandle({
      store, runId, scope: l.held.lease.scope, held: l.held, leaseMs: l.leaseMs, clock: realClock, redact: scope.redactText, listeners, startSeq: replay.lastSeq,
      holder: { runId, mode: 'rollback', user, host, pid: process.pid, since: l.held.lease.holder.since },
    });
    try {
      const { emit } = run;
      // the first interrupt lets the running rollback end and starts no other; the second cancels it
      const abort = AbortSignal.any([signals.abort, run.lost]);
      await emit({ type: 'run.started', mode: 'rollback', runbook: meta.runbook, params: scope.params, ...startedSteps(runbook), host, user, pid: process.pid });
      await emit(lockAcquiredEvent(run.lease));
      const makeContext = createContextFactory({ runId, baseDir: runbook.baseDir, clock: realClock, log: run.log, emit, approve: async () => false });
      let restored = true;
      if (pendingFault && faultKind && runbook.fault) {
        const injected = { kind: faultKind, params: scope.interpolate(runbook.fault.with), ...pendingFault };
        // not fenced, on purpose: putting a fault back is always the safe direction, even for a
        // controller that lost its lock (a cut left in place is the one outcome a rehearsal must not have)
        const restore = await restoreFault({ spec: runbook.fault, clock: realClock, makeContext: (signal) => makeContext('fault', signal, {}) }, injected)
          .then((describe) => ({ describe, error: undefined }), (e: unknown) => ({ describe: `${describeRestore(injected, undefined)}: ${(e as Error).message}`, error: (e as Error).message }));
        const { error } = restore;
        await emit({ type: 'fault.restored', describe: restore.describe, ok: error === undefined });
        if (error !== undefined) io.err(`restoring the fault failed: ${error}`);
        restored = error === undefined;
      }
      const ok = (await rollbackSteps(items, { reason: `drctl rollback by ${user}@${host}`, clock: realClock, emit, abort, halt: run.lost, stop: signals.stop, makeContext })) && restored;
      const failure = run.failure();
      if (failure) throw failure;
      const error = ok ? undefined : signals.stop.aborted
        ? `rollback interrupted: what is not rolled back yet is left for \`drctl rollback ${runId}\``
        : 'ROLLBACK INCOMPLETE: see the journal (drctl report)';
      const summary = meta.summary ?? buildSummary(runbook, undefined, [], error);
      // a signal that came after the last undo finished changes nothing: only an unfinished rollback is interrupted
      const status = !ok ? (signals.stop.aborted ? 'interrupted' : 'failed') : meta.status === 'running' ? 'interrupted' : meta.status;
      const durationMs = realClock.monotonic() - t0;
      await emit({ type: 'run.finished', status, durationMs, summary: { ...summary, ...(error ? { error } : {}) } });
      const next: RunMeta = { ...meta, status, summary: { ...summary, ...(error ? { error } : {}) }, rolledBack: { at: new Date().toISOString(), ok } };
      await run.writeMeta(next);
      return { runId, status: ok ? 'succeeded' : status, meta: next, budgetExceeded: false };
    } catch (e) {
      throw run.failure() ?? e;
    } finally {
      await run.close();
    }
  });
  if (!io.json) io.err(code === ExitCode.ok ? `rolled back ${items.length} step(s) of run ${runId}` : `the rollback of run ${runId} did not complete: see \`drctl report ${runId}\``);
  return code;
}
