import os from 'node:os';
import type { KindRegistry } from '../kinds/registry.js';
import { JOURNAL_SCHEMA_VERSION, type RunMeta } from '../model/records.js';
import type { RuntimeScope } from '../runbook/runtime-scope.js';
import type { Runbook } from '../runbook/types.js';
import { holdLock, lockAcquiredEvent, openRunHandle, type HeldLock } from '../state/run-handle.js';
import { newRunId } from '../state/run-store.js';
import { DEFAULT_LEASE_MS, type StateStore } from '../state/store.js';
import { realClock, type Clock } from '../util/clock.js';
import { createContextFactory } from './context.js';
import { describeLeftovers, stopLeftoverCommands } from './leftover-commands.js';
import type { Continuation, Phases, SessionOutcome, SessionView } from './phases.js';
import { loadRunRecord, readRunHeader } from './run-record.js';
import { startedSteps } from './run-started.js';

export type { SessionOutcome, SessionView } from './phases.js';

/** A new run: run, drill, rehearse, or a rehearsal the schedule skipped. */
export interface NewRun {
  readonly kind: 'new';
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly runbookText: string;
  readonly scope: RuntimeScope;
  readonly phases: Phases;
  /** Runs under the lock before anything is written (a saved plan's staleness check). */
  readonly beforeStart?: () => Promise<void>;
}

/** A recorded run that a later process continues (resume) or undoes (rollback). */
export interface RecordedRun {
  readonly kind: 'recorded';
  readonly runId: string;
  readonly continuation: Continuation;
  /** Accept a journal with unreadable lines (--force). */
  readonly force: boolean;
  /** The runbook to act with: resume reads the file, rollback the copy saved with the run. */
  load(header: RunMeta, store: StateStore): Promise<{ readonly runbook: Runbook; readonly registry: KindRegistry; readonly text: string }>;
}

export interface SessionInput {
  readonly store: StateStore;
  readonly target: NewRun | RecordedRun;
  readonly view: SessionView;
  /** The first interrupt: start nothing new. */
  readonly stop: AbortSignal;
  /** The second interrupt: cancel what runs. */
  readonly abort: AbortSignal;
  readonly leaseMs?: number | undefined;
  readonly clock?: Clock;
  /** Test-only crash points (cli/failpoints.ts): 'resume.locked', 'run.before-finish', 'run.before-record'. */
  readonly failpoint?: (name: string) => Promise<void>;
}

/** The runbook's lock scope with params interpolated (`lockScope: switch-${params.estate}`). */
export function resolveLockScope(runbook: Runbook, interpolate: RuntimeScope['interpolate']): string {
  const v = interpolate(runbook.lockScope);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The one session of every run-like command, from lock to record: take the lock (a recorded run: the
 * scope it was locked under, before its journal is read), journal run.started and lock.acquired, run the
 * phases strategy, journal run.finished, write the run record. The only place that does any of these.
 */
export function runSession(input: SessionInput): Promise<SessionOutcome> {
  return input.target.kind === 'new' ? startRun(input, input.target) : continueRun(input, input.target);
}

const whoAmI = () => ({ user: os.userInfo().username, host: os.hostname(), pid: process.pid });

/** The one place a run's lock is taken (and its lease renewed until the run handle closes or release()). */
function takeLock(input: SessionInput, scope: string, holder: Parameters<typeof holdLock>[2]): Promise<HeldLock> {
  return holdLock(input.store, scope, holder, input.leaseMs ?? DEFAULT_LEASE_MS);
}

async function startRun(input: SessionInput, t: NewRun): Promise<SessionOutcome> {
  const clock = input.clock ?? realClock;
  const startedAt = new Date(clock.now());
  const runId = newRunId(t.runbook.name, startedAt);
  const who = whoAmI();
  const lockScope = resolveLockScope(t.runbook, t.scope.interpolate);
  const { runbook, phases } = t;
  const meta: RunMeta = {
    schemaVersion: JOURNAL_SCHEMA_VERSION,
    runId,
    mode: phases.mode,
    runbook: { name: runbook.name, file: runbook.file, hash: runbook.hash },
    lockScope,
    status: 'running',
    startedAt: startedAt.toISOString(),
    endedAt: undefined,
    durationMs: undefined,
    ...who,
    summary: undefined,
  };
  // a strategy that changes nothing (a skipped rehearsal) takes no lock: a run holding it does not turn "not now" into "refused"
  const held =
    phases.locks === false ? undefined : await takeLock(input, lockScope, { runId, mode: phases.mode, ...who, since: meta.startedAt });
  return openAndRun(input, {
    runId,
    runbook,
    registry: t.registry,
    scope: t.scope,
    phases,
    held,
    lockScope,
    base: meta,
    open: { create: { meta, runbookText: t.runbookText }, ...(t.beforeStart ? { beforeStart: t.beforeStart } : {}) },
  });
}

async function continueRun(input: SessionInput, t: RecordedRun): Promise<SessionOutcome> {
  const { store, view } = input;
  const header = await readRunHeader(store, t.runId);
  const { runbook, registry, text } = await t.load(header, store);
  const who = whoAmI();
  // the lock first (the scope the run was locked under, even if the runbook's lockScope changed since), then
  // the journal: nothing a just-expired holder wrote is missed. Records from before lock scopes were
  // recorded: the runbook's (uninterpolated) scope.
  const lockScope = header.lockScope ?? runbook.lockScope;
  const holder = { runId: t.runId, mode: t.continuation.mode, ...who, since: new Date().toISOString() };
  const held = await takeLock(input, lockScope, holder);
  try {
    await input.failpoint?.(`${t.continuation.mode}.locked`);
    const rec = await loadRunRecord(store, t.runId, t.force, (line) => view.note(line));
    const prepared = await t.continuation.prepare({
      ...rec,
      runbook,
      registry,
      runbookText: text,
      store,
      held,
      note: (line) => view.note(line),
    });
    if (prepared.action === 'none')
      return { kind: 'nothing', runId: t.runId, mode: t.continuation.mode, meta: rec.meta, message: prepared.message };
    view.note(prepared.announce);
    if (!(await view.confirm(prepared.what, prepared.question))) return { kind: 'declined', runId: t.runId };
    // under the lock and about to act: a command a dead controller left running must not change the estate behind our decision
    const found = await stopLeftoverCommands(prepared.leftovers);
    if (found.length > 0)
      view.note(`stopped ${found.length} command(s) the run's earlier controller left running, before acting: ${describeLeftovers(found)}`);
    return await openAndRun(input, {
      runId: t.runId,
      runbook,
      registry,
      scope: prepared.scope,
      phases: prepared.phases,
      held,
      lockScope,
      base: prepared.meta ?? rec.meta,
      open: { startSeq: rec.replay.lastSeq, ...(prepared.meta ? { meta: prepared.meta } : {}) },
    });
  } finally {
    await held.release();
  }
}

interface Opening {
  readonly runId: string;
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly scope: RuntimeScope;
  readonly phases: Phases;
  readonly held: HeldLock | undefined;
  readonly lockScope: string;
  /** The record the final one is made from. */
  readonly base: RunMeta;
  readonly open: {
    readonly create?: { meta: RunMeta; runbookText: string };
    readonly meta?: RunMeta;
    readonly startSeq?: number;
    readonly beforeStart?: () => Promise<void>;
  };
}

/** Open the run's journal, write run.started (here and nowhere else), run the phases, then run.finished and the record. */
async function openAndRun(input: SessionInput, o: Opening): Promise<SessionOutcome> {
  const clock = input.clock ?? realClock;
  const { runbook, scope, phases, runId } = o;
  const run = await openRunHandle({
    store: input.store,
    runId,
    scope: o.lockScope,
    held: o.held,
    clock,
    redact: scope.redactText,
    listeners: input.view.listeners,
    ...o.open,
  });
  const { emit } = run;
  const t0 = clock.monotonic();
  try {
    input.stop.addEventListener(
      'abort',
      () => void emit({ type: 'run.interrupted', signal: String(input.stop.reason) }).catch(() => undefined),
      { once: true },
    );
    const makeContext = createContextFactory({ runId, baseDir: runbook.baseDir, clock, log: run.log, emit, approve: input.view.approve });
    const { user, host, pid } = whoAmI();
    await emit({
      type: 'run.started',
      mode: phases.mode,
      runbook: { name: runbook.name, file: runbook.file, hash: runbook.hash },
      params: scope.params,
      ...startedSteps(runbook),
      host,
      user,
      pid,
      ...(phases.lostDcs !== undefined && phases.lostDcs.length > 0 ? { lost: phases.lostDcs } : {}),
    });
    if (run.lease) await emit(lockAcquiredEvent(run.lease));
    const result = await phases.run({
      runId,
      runbook,
      registry: o.registry,
      scope,
      clock,
      emit,
      makeContext,
      log: run.log,
      stop: AbortSignal.any([input.stop, run.lost]),
      abort: input.abort,
      lost: run.lost,
      interrupt: input.stop,
    });
    const failure = run.failure();
    if (failure) throw failure;
    const durationMs = clock.monotonic() - t0;
    await input.failpoint?.('run.before-finish');
    const rollback = phases.mode === 'rollback' ? { rollback: result.verdict ?? result.status } : {};
    await emit({ type: 'run.finished', status: result.status, durationMs, summary: result.summary, ...rollback });
    await input.failpoint?.('run.before-record');
    const times = result.keepTimes ? {} : { endedAt: new Date(clock.now()).toISOString(), durationMs };
    const meta: RunMeta = { ...o.base, status: result.status, ...times, summary: result.summary, ...result.record };
    await run.writeMeta(meta);
    return {
      kind: 'finished',
      runId,
      mode: phases.mode,
      status: result.status,
      verdict: result.verdict ?? result.status,
      meta: JSON.parse(scope.redactText(JSON.stringify(meta))) as RunMeta,
      budgetExceeded: result.budgetExceeded === true,
      durationMs,
    };
  } catch (e) {
    throw run.failure() ?? e;
  } finally {
    await run.close();
  }
}
