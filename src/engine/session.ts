import os from 'node:os';
import type { KindRegistry } from '../kinds/registry.js';
import type { OnFailure, Runbook } from '../runbook/types.js';
import { realClock, type Clock } from '../util/clock.js';
import { JOURNAL_SCHEMA_VERSION, type RunMeta } from '../model/records.js';
import { lockAcquiredEvent, openRunHandle, type HeldLock } from '../state/run-handle.js';
import { newRunId } from '../state/run-store.js';
import { DEFAULT_LEASE_MS, type StateStore } from '../state/store.js';
import { findBudgetOverruns } from './budgets.js';
import { runChecks } from './checks.js';
import { createContextFactory } from './context.js';
import { startedSteps } from './run-started.js';
import type { EventInput, EventListener, RunMode, RunStatus } from '../model/events.js';
import { executeSteps, outcomeOfPrior, type ExecuteOutcome } from './executor.js';
import { firstError } from './first-error.js';
import { rollbackSteps, type RollbackItem } from './rollback.js';
import { buildSummary } from './summary.js';
import { journalResumption, type ResumeInput } from './resume-input.js';

export type { ResumeInput } from './resume-input.js';

export interface SessionOptions {
  readonly runbook: Runbook;
  readonly runbookText: string;
  readonly registry: KindRegistry;
  readonly mode: Extract<RunMode, 'run' | 'drill' | 'rehearse'>;
  readonly params: Readonly<Record<string, unknown>>;
  /** Interpolate a value with params/env/secrets and (for steps) the outputs of earlier steps. */
  readonly interpolate: (value: unknown, outputsOf?: (stepId: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  /** Redacts secret values from text; applied to every event and record before anyone sees them. */
  readonly redact: (text: string) => string;
  readonly store: StateStore;
  readonly listeners: readonly EventListener[];
  readonly approve: (stepId: string, question: string) => Promise<boolean>;
  readonly stop: AbortSignal;
  readonly abort: AbortSignal;
  readonly clock?: Clock;
  readonly concurrency?: number;
  readonly onFailure?: OnFailure;
  readonly shuffle?: boolean;
  readonly leaseMs?: number | undefined;
  readonly resume?: ResumeInput;
  /** Runs under the lock before anything is written (a saved plan's staleness check). */
  readonly beforeStart?: () => Promise<void>;
  /** The run's lock, already taken (resume: before its journal was read). */
  readonly held?: HeldLock | undefined;
  /** Test-only crash points (cli/failpoints.ts): 'run.before-finish', 'run.before-record'. */
  readonly failpoint?: (name: string) => Promise<void>;
}

/** The runbook's lock scope with params interpolated (`lockScope: switch-${params.estate}`). */
export function resolveLockScope(runbook: Runbook, interpolate: SessionOptions['interpolate']): string {
  const v = interpolate(runbook.lockScope);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export interface SessionOutcome {
  readonly runId: string;
  readonly status: RunStatus;
  readonly meta: RunMeta;
  readonly budgetExceeded: boolean;
}

/** One run or drill (or its resumption), from lock to record: readiness → (steady state) → steps → (fail back) → summary. */
export async function runSession(o: SessionOptions): Promise<SessionOutcome> {
  const clock = o.clock ?? realClock;
  const startedAt = new Date(clock.now());
  const runId = o.resume?.meta.runId ?? newRunId(o.runbook.name, startedAt);
  const user = os.userInfo().username;
  const host = os.hostname();
  const pid = process.pid;
  // a resumed run keeps the scope it was locked under, whatever the runbook says now
  const lockScope = o.held?.lease.scope ?? o.resume?.meta.lockScope ?? resolveLockScope(o.runbook, o.interpolate);
  const baseMeta: RunMeta = o.resume
    ? { ...o.resume.meta, status: 'running', endedAt: undefined, durationMs: undefined, resumes: [...(o.resume.meta.resumes ?? []), { at: startedAt.toISOString(), host, user, pid, forced: o.resume.forced }] }
    : {
        schemaVersion: JOURNAL_SCHEMA_VERSION, runId, mode: o.mode,
        runbook: { name: o.runbook.name, file: o.runbook.file, hash: o.runbook.hash }, lockScope,
        status: 'running', startedAt: startedAt.toISOString(), endedAt: undefined, durationMs: undefined,
        host, user, pid, summary: undefined,
      };
  const run = await openRunHandle({
    store: o.store, runId, scope: lockScope, held: o.held, leaseMs: o.leaseMs ?? DEFAULT_LEASE_MS, clock, redact: o.redact, listeners: o.listeners,
    holder: { runId, mode: o.resume ? 'resume' : o.mode, user, host, pid, since: startedAt.toISOString() },
    ...(o.resume ? { meta: baseMeta, startSeq: o.resume.replay.lastSeq } : { create: { meta: baseMeta, runbookText: o.runbookText } }),
    ...(o.beforeStart ? { beforeStart: o.beforeStart } : {}),
  });
  const { emit } = run;
  const t0 = clock.monotonic();
  try {
    o.stop.addEventListener('abort', () => void emit({ type: 'run.interrupted', signal: String(o.stop.reason) }).catch(() => undefined), { once: true });
    const makeContext = createContextFactory({ runId, baseDir: o.runbook.baseDir, clock, log: run.log, emit, approve: o.approve });
    await emit({
      type: 'run.started', mode: o.resume ? 'resume' : o.mode, runbook: { name: o.runbook.name, file: o.runbook.file, hash: o.runbook.hash }, params: o.params,
      ...startedSteps(o.runbook), host, user, pid,
    });
    await emit(lockAcquiredEvent(run.lease));
    const resume = o.resume && (await journalResumption(o.resume, emit));
    const halted = { ...o, ...(resume ? { resume } : {}), stop: AbortSignal.any([o.stop, run.lost]) };
    // the rehearsal's phases are imported only by a rehearsal
    const result = o.mode === 'rehearse' ? await (await import('../rehearsal/session-phases.js')).rehearsalPhases(halted, clock, emit, makeContext) : await phases(halted, run.lost, clock, emit, makeContext);
    const failure = run.failure();
    if (failure) throw failure;
    const durationMs = clock.monotonic() - t0;
    const summary = buildSummary(o.runbook, result.executed, result.overruns.map((b) => b.stepId ?? '(total)'), result.error);
    await o.failpoint?.('run.before-finish');
    await emit({ type: 'run.finished', status: result.status, durationMs, summary });
    await o.failpoint?.('run.before-record');
    const meta: RunMeta = { ...baseMeta, status: result.status, endedAt: new Date(clock.now()).toISOString(), durationMs, summary, halves: result.halves, ...(result.rehearsal ? { rehearsal: result.rehearsal } : {}) };
    await run.writeMeta(meta);
    return { runId, status: result.status, meta: JSON.parse(o.redact(JSON.stringify(meta))) as RunMeta, budgetExceeded: result.overruns.length > 0 };
  } catch (e) {
    throw run.failure() ?? e;
  } finally {
    await run.close();
  }
}

export interface PhasesResult {
  readonly status: RunStatus;
  readonly executed: ExecuteOutcome | undefined;
  readonly overruns: ReturnType<typeof findBudgetOverruns>;
  readonly error: string | undefined;
  readonly halves: RunMeta['halves'];
  readonly rehearsal?: RunMeta['rehearsal'];
}

async function phases(
  o: SessionOptions,
  halt: AbortSignal,
  clock: Clock,
  emit: (e: EventInput) => Promise<void>,
  makeContext: ReturnType<typeof createContextFactory>,
): Promise<PhasesResult> {
  const never = new AbortController().signal;
  const checks = (group: 'readiness' | 'steadyState', phase?: string) =>
    runChecks(group === 'readiness' ? o.runbook.readiness : o.runbook.steadyState, {
      group, clock, emit, ...(phase === undefined ? {} : { phase }), interpolate: (v) => o.interpolate(v),
      makeContext: (name) => makeContext(`${group}:${name}`, AbortSignal.any([o.abort, never]), {}),
    });
  const refuse = (error: string): PhasesResult => ({ status: 'failed', executed: undefined, overruns: [], error, halves: undefined });

  const notReady = await checks('readiness');
  if (notReady.length > 0) return refuse(`readiness failed (${notReady.join(', ')}): nothing was changed`);
  if (o.mode === 'drill' && o.runbook.steadyState.length > 0 && !o.resume) {
    const off = await checks('steadyState', 'before the drill');
    if (off.length > 0) return refuse(`steady state does not hold before the drill (${off.join(', ')}): nothing was changed`);
  }

  const s0 = clock.monotonic();
  const replay = o.resume?.replay;
  // a resumed drill whose fail-back had begun goes straight back to failing back
  const executed = replay && o.mode === 'drill' && replay.rollbackStarted ? outcomeOfPrior(o.runbook, replay.prior, replay.toUndo) : await executeSteps({
    runbook: o.runbook, registry: o.registry, emit, clock, stop: o.stop, abort: o.abort, makeContext,
    resolveParams: (step, outputsOf) => o.interpolate(step.with, outputsOf),
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    ...(o.onFailure === undefined ? {} : { onFailure: o.onFailure }),
    ...(o.shuffle === undefined ? {} : { shuffle: o.shuffle }),
    ...(replay ? { prior: replay.prior, intents: replay.intents } : {}),
  });
  if (replay?.rollbackStarted && o.mode === 'drill') {
    for (const s of o.runbook.steps) if (!replay.prior.has(s.id)) await emit({ type: 'step.cancelled', stepId: s.id, reason: 'not started: the drill was failing back when it was cut off' });
  }
  if (executed.fatal !== undefined || halt.aborted) return { status: 'failed', executed, overruns: [], error: String(halt.reason ?? executed.fatal), halves: undefined };
  const switchMs = clock.monotonic() - s0;
  const overruns = findBudgetOverruns(o.runbook, executed.steps, switchMs);
  for (const b of overruns) await emit(b);
  let status: RunStatus = executed.status;
  let error = firstError(executed);
  // a resumed drill that was cut off while failing back a switch that had not finished: only the fail-back
  // is left to do, and the drill as a whole did not switch
  const notSwitched = replay?.rollbackStarted && o.mode === 'drill' ? o.runbook.steps.filter((s) => !replay.prior.has(s.id)).map((s) => s.id) : [];
  if (notSwitched.length > 0) {
    status = 'failed';
    error = `the drill was cut off before its switch finished (not done: ${notSwitched.join(', ')}); resumed, it only failed back`;
  }

  const onFailure = o.onFailure ?? o.runbook.onFailure;
  // every step that changed something, newest first: the applied ones and a failed one whose apply
  // had begun (its intent is journaled: it may have half-applied)
  const items = (): RollbackItem[] =>
    [...executed.undoOrder].reverse().map((id) => {
      const step = o.runbook.steps.find((s) => s.id === id);
      const rec = executed.steps.get(id);
      const kind = o.registry.get(step?.kind ?? '');
      if (!step || !rec || !kind) throw new Error(`internal: no record of applied step ${id}`);
      return { stepId: id, kind, params: rec.params ?? o.interpolate(step.with, (sid) => executed.steps.get(sid)?.outputs), before: rec.before, timeoutMs: step.timeoutMs, verifyIntervalMs: step.verifyIntervalMs };
    });
  // a run that lost its lock or its journal fails back no further (another controller may own the switch now)
  const rollback = (reason: string) => rollbackSteps(items(), { reason, clock, emit, abort: o.abort, halt, makeContext });

  if (o.mode === 'run') {
    if (status === 'failed' && onFailure === 'rollback' && executed.undoOrder.length > 0) {
      const undone = [...executed.undoOrder].reverse();
      const back = await rollback('a step failed and onFailure is rollback');
      error = `${error ?? 'a step failed'}; ${back ? `rolled back every step that changed something: ${undone.map((id) => rolledBackLabel(id, executed)).join(', ')}` : 'ROLLBACK INCOMPLETE: see the journal'}`;
    }
    return { status, executed, overruns, error, halves: undefined };
  }

  // drill: verify the switched state, then fail back everything in reverse order, then verify again.
  if (status === 'succeeded' && o.runbook.steadyState.length > 0) {
    const off = await checks('steadyState', 'after the switch');
    if (off.length > 0) {
      status = 'failed';
      error = `steady state does not hold after the switch (${off.join(', ')})`;
    }
  }
  if (halt.aborted) return { status: 'failed', executed, overruns, error: String(halt.reason), halves: { switch: status, failBack: 'skipped' } };
  if (o.abort.aborted) return { status: 'interrupted', executed, overruns, error, halves: { switch: status, failBack: 'skipped' } };
  const back = await rollback(status === 'succeeded' ? 'drill: fail back' : `drill: fail back after ${status} switch`);
  let failBack: RunStatus = back ? 'succeeded' : 'failed';
  if (back && o.runbook.steadyState.length > 0) {
    const off = await checks('steadyState', 'after fail-back');
    if (off.length > 0) {
      failBack = 'failed';
      error = error ?? `steady state does not hold after fail-back (${off.join(', ')})`;
    }
  }
  if (!back) error = error ?? 'fail-back incomplete: see the journal';
  // the runbook's budget is the switch's objective: a drill over it failed. A step over its own budget is
  // a finding (event, summary, report), not a failure: step budgets say where the time went, and a busy
  // CI runner must not fail a drill whose switch met its objective (README, Budgets).
  const overObjective = overruns.filter((b) => b.stepId === undefined);
  if (overObjective.length > 0 && status === 'succeeded') {
    status = 'failed';
    error = overObjective.map((b) => b.message).join('; ');
  }
  const overall: RunStatus = executed.status === 'interrupted' ? 'interrupted' : status === 'succeeded' && failBack === 'succeeded' ? 'succeeded' : 'failed';
  return { status: overall, executed, overruns, error, halves: { switch: status, failBack } };
}

/** "lb (failed after it began applying)" for a step rolled back although it failed. */
function rolledBackLabel(id: string, executed: ExecuteOutcome): string {
  const status = executed.steps.get(id)?.status;
  return status === 'failed' || status === 'cancelled' ? `${id} (${status} after it began applying)` : id;
}
