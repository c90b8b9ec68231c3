import os from 'node:os';
import path from 'node:path';
import type { KindRegistry } from '../kinds/registry.js';
import type { OnFailure, Runbook } from '../runbook/types.js';
import { realClock, type Clock } from '../util/clock.js';
import { createFileLogger } from '../util/pino-logger.js';
import { acquireFileLock } from '../state/lock-file.js';
import { createRunDir, newRunId, openJournal, writeRunMeta } from '../state/run-store.js';
import { JOURNAL_SCHEMA_VERSION, type RunMeta } from '../state/records.js';
import { findBudgetOverruns } from './budgets.js';
import { runChecks } from './checks.js';
import { createContextFactory } from './context.js';
import type { EngineEvent, EventInput, EventListener, RunMode, RunStatus } from './events.js';
import { executeSteps, type ExecuteOutcome, type PriorStep } from './executor.js';
import { rollbackSteps, type RollbackItem } from './rollback.js';
import { buildSummary } from './summary.js';

export interface SessionOptions {
  readonly runbook: Runbook;
  readonly runbookText: string;
  readonly registry: KindRegistry;
  readonly mode: Extract<RunMode, 'run' | 'drill'>;
  readonly params: Readonly<Record<string, unknown>>;
  /** Interpolate a value with params/env/secrets and (for steps) the outputs of earlier steps. */
  readonly interpolate: (value: unknown, outputsOf?: (stepId: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  /** Redacts secret values from text; applied to every event and record before anyone sees them. */
  readonly redact: (text: string) => string;
  readonly stateDir: string;
  readonly listeners: readonly EventListener[];
  readonly approve: (stepId: string, question: string) => Promise<boolean>;
  readonly stop: AbortSignal;
  readonly abort: AbortSignal;
  readonly clock?: Clock;
  readonly concurrency?: number;
  readonly onFailure?: OnFailure;
  readonly shuffle?: boolean;
  readonly prior?: ReadonlyMap<string, PriorStep>;
}

export interface SessionOutcome {
  readonly runId: string;
  readonly status: RunStatus;
  readonly meta: RunMeta;
  readonly budgetExceeded: boolean;
}

/** One run or drill, from lock to record: readiness → (steady state) → steps → (fail back) → summary. */
export async function runSession(o: SessionOptions): Promise<SessionOutcome> {
  const clock = o.clock ?? realClock;
  const startedAt = new Date(clock.now());
  const runId = newRunId(o.runbook.name, startedAt);
  const user = os.userInfo().username;
  const host = os.hostname();
  const release = await acquireFileLock(o.stateDir, o.runbook.lockScope, { runId, mode: o.mode, user, host, pid: process.pid, since: startedAt.toISOString() });
  const runDir = await createRunDir(o.stateDir, runId, o.runbookText);
  const journal = await openJournal(o.stateDir, runId);
  const log = createFileLogger(path.join(runDir, 'log.ndjson'), { runId, runbook: o.runbook.name });
  let seq = 0;
  const scrub = <T>(value: T): T => JSON.parse(o.redact(JSON.stringify(value))) as T;
  const emit = async (input: EventInput): Promise<void> => {
    const event = scrub({ ...input, runId, at: new Date(clock.now()).toISOString() } as EngineEvent);
    await journal.append({ ...event, schemaVersion: JOURNAL_SCHEMA_VERSION, seq: ++seq });
    log.info({ event }, event.type);
    for (const l of o.listeners) l(event);
  };
  const baseMeta: RunMeta = {
    schemaVersion: JOURNAL_SCHEMA_VERSION, runId, mode: o.mode,
    runbook: { name: o.runbook.name, file: o.runbook.file, hash: o.runbook.hash },
    status: 'running', startedAt: startedAt.toISOString(), endedAt: undefined, durationMs: undefined,
    host, user, pid: process.pid, summary: undefined,
  };
  const t0 = clock.monotonic();
  try {
    await writeRunMeta(o.stateDir, baseMeta);
    o.stop.addEventListener('abort', () => void emit({ type: 'run.interrupted', signal: String(o.stop.reason) }).catch(() => undefined), { once: true });
    const makeContext = createContextFactory({ runId, baseDir: o.runbook.baseDir, clock, log, emit, approve: o.approve });
    await emit({
      type: 'run.started', mode: o.mode, runbook: baseMeta.runbook, params: o.params,
      steps: o.runbook.steps.map((s) => ({ id: s.id, kind: s.kind, needs: s.needs })), host, user, pid: process.pid,
    });
    const result = await phases(o, clock, emit, makeContext);
    const durationMs = clock.monotonic() - t0;
    const summary = scrub(buildSummary(o.runbook, result.executed, result.overruns.map((b) => b.stepId ?? '(total)'), result.error));
    await emit({ type: 'run.finished', status: result.status, durationMs, summary });
    const meta: RunMeta = scrub({ ...baseMeta, status: result.status, endedAt: new Date(clock.now()).toISOString(), durationMs, summary, halves: result.halves });
    await writeRunMeta(o.stateDir, meta);
    return { runId, status: result.status, meta, budgetExceeded: result.overruns.length > 0 };
  } finally {
    await journal.close();
    log.flush();
    await release();
  }
}

interface PhasesResult {
  readonly status: RunStatus;
  readonly executed: ExecuteOutcome | undefined;
  readonly overruns: ReturnType<typeof findBudgetOverruns>;
  readonly error: string | undefined;
  readonly halves: RunMeta['halves'];
}

async function phases(
  o: SessionOptions,
  clock: Clock,
  emit: (e: EventInput) => Promise<void>,
  makeContext: ReturnType<typeof createContextFactory>,
): Promise<PhasesResult> {
  const never = new AbortController().signal;
  const checks = (group: 'readiness' | 'steadyState') =>
    runChecks(group === 'readiness' ? o.runbook.readiness : o.runbook.steadyState, {
      group, clock, emit, interpolate: (v) => o.interpolate(v),
      makeContext: (name) => makeContext(`${group}:${name}`, AbortSignal.any([o.abort, never]), {}),
    });
  const refuse = (error: string): PhasesResult => ({ status: 'failed', executed: undefined, overruns: [], error, halves: undefined });

  const notReady = await checks('readiness');
  if (notReady.length > 0) return refuse(`readiness failed (${notReady.join(', ')}): nothing was changed`);
  if (o.mode === 'drill' && o.runbook.steadyState.length > 0) {
    const off = await checks('steadyState');
    if (off.length > 0) return refuse(`steady state does not hold before the drill (${off.join(', ')}): nothing was changed`);
  }

  const s0 = clock.monotonic();
  const executed = await executeSteps({
    runbook: o.runbook, registry: o.registry, emit, clock, stop: o.stop, abort: o.abort, makeContext,
    resolveParams: (step, outputsOf) => o.interpolate(step.with, outputsOf),
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    ...(o.onFailure === undefined ? {} : { onFailure: o.onFailure }),
    ...(o.shuffle === undefined ? {} : { shuffle: o.shuffle }),
    ...(o.prior === undefined ? {} : { prior: o.prior }),
  });
  const switchMs = clock.monotonic() - s0;
  const overruns = findBudgetOverruns(o.runbook, executed.steps, switchMs);
  for (const b of overruns) await emit(b);
  let status: RunStatus = executed.status;
  let error = firstError(executed);

  const onFailure = o.onFailure ?? o.runbook.onFailure;
  const items = (): RollbackItem[] =>
    [...executed.appliedOrder].reverse().map((id) => {
      const step = o.runbook.steps.find((s) => s.id === id);
      const rec = executed.steps.get(id);
      const kind = o.registry.get(step?.kind ?? '');
      if (!step || !rec || !kind) throw new Error(`internal: no record of applied step ${id}`);
      return { stepId: id, kind, params: rec.params ?? o.interpolate(step.with, (sid) => executed.steps.get(sid)?.outputs), before: rec.before, timeoutMs: step.timeoutMs, verifyIntervalMs: step.verifyIntervalMs };
    });
  const rollback = (reason: string) => rollbackSteps(items(), { reason, clock, emit, abort: o.abort, makeContext });

  if (o.mode === 'run') {
    if (status === 'failed' && onFailure === 'rollback' && executed.appliedOrder.length > 0) {
      const back = await rollback('a step failed and onFailure is rollback');
      error = `${error ?? 'a step failed'}; ${back ? 'every applied step was rolled back' : 'ROLLBACK INCOMPLETE: see the journal'}`;
    }
    return { status, executed, overruns, error, halves: undefined };
  }

  // drill: verify the switched state, then fail back everything in reverse order, then verify again.
  if (status === 'succeeded' && o.runbook.steadyState.length > 0) {
    const off = await checks('steadyState');
    if (off.length > 0) {
      status = 'failed';
      error = `steady state does not hold after the switch (${off.join(', ')})`;
    }
  }
  if (o.abort.aborted) return { status: 'interrupted', executed, overruns, error, halves: { switch: status, failBack: 'skipped' } };
  const back = await rollback(status === 'succeeded' ? 'drill: fail back' : `drill: fail back after ${status} switch`);
  let failBack: RunStatus = back ? 'succeeded' : 'failed';
  if (back && o.runbook.steadyState.length > 0) {
    const off = await checks('steadyState');
    if (off.length > 0) {
      failBack = 'failed';
      error = error ?? `steady state does not hold after fail-back (${off.join(', ')})`;
    }
  }
  if (!back) error = error ?? 'fail-back incomplete: see the journal';
  if (overruns.length > 0 && status === 'succeeded') {
    status = 'failed';
    error = overruns.map((b) => b.message).join('; ');
  }
  const overall: RunStatus = executed.status === 'interrupted' ? 'interrupted' : status === 'succeeded' && failBack === 'succeeded' ? 'succeeded' : 'failed';
  return { status: overall, executed, overruns, error, halves: { switch: status, failBack } };
}

function firstError(executed: ExecuteOutcome): string | undefined {
  for (const [id, rec] of executed.steps) {
    if (rec.status === 'failed' && rec.error) return `step "${id}" failed in ${rec.error.phase}: ${rec.error.message}`;
  }
  return undefined;
}
