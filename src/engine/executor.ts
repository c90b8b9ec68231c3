import type { KindContext } from '../model/kind.js';
import type { KindRegistry } from '../kinds/registry.js';
import type { OnFailure, Runbook, StepSpec } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import type { SignalLike } from '../util/deadline.js';
import type { PriorStep } from '../model/replay.js';
import type { EventInput, StepErrorInfo, StepPhase, StepStatus, StepTiming } from '../model/events.js';
import { runStepLife, type StepLifeResult } from './step-life.js';
import { MinHeap } from '../util/min-heap.js';

export interface StepRecord {
  readonly status: StepStatus;
  readonly before: unknown;
  /** Its intent was journaled: it may have changed something (see StepLifeResult.intended). */
  readonly intended?: boolean;
  readonly after: unknown;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly params: unknown;
  readonly error: StepErrorInfo | undefined;
  readonly timing: StepTiming;
}

export interface ExecuteOptions {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  /** Interpolate a step's `with:` once its needs are done (throws with a clear message on a missing ref). */
  readonly resolveParams: (step: StepSpec, outputsOf: (stepId: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  readonly emit: (e: EventInput) => Promise<void>;
  readonly clock: Clock;
  /** Aborted on the first interrupt: start no new step. */
  readonly stop: AbortSignal;
  /** Aborted on a second interrupt: cancel running steps. */
  readonly abort: AbortSignal;
  readonly makeContext: (stepId: string, signal: SignalLike, notes: Record<string, unknown>) => KindContext;
  readonly concurrency?: number;
  readonly onFailure?: OnFailure;
  readonly prior?: ReadonlyMap<string, PriorStep>;
  /**
   * Resume: steps whose intent was journaled but not their outcome → the before-state of that intent.
   * Such a step is observed again: found done, it is not applied again but counts as applied (rollback
   * restores the intent's before-state); else it is applied, still with the original before-state.
   */
  readonly intents?: ReadonlyMap<string, unknown>;
  /** Randomise the order of ready steps (tests: a missing `needs` edge then fails instead of passing by luck). */
  readonly shuffle?: boolean;
}

export interface ExecuteOutcome {
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  readonly steps: ReadonlyMap<string, StepRecord>;
  /** Steps that changed something, in completion order. */
  readonly appliedOrder: readonly string[];
  /**
   * What a rollback undoes (reversed): the applied steps and the failed or cancelled ones whose intent
   * was journaled (their apply may have half-applied), in completion order.
   */
  readonly undoOrder: readonly string[];
  /** Set when emitting failed (the journal could not be written): no step was started after it. */
  readonly fatal?: unknown;
}

/** A step an earlier process journaled, as this one records it (nothing of it runs again); `timing` if it has none. */
export function recordOfPrior(p: PriorStep, timing: StepTiming): StepRecord {
  return {
    status: p.status,
    before: p.before,
    after: undefined,
    outputs: p.outputs,
    params: undefined,
    error: undefined,
    timing: p.timing ?? timing,
  };
}

/** Walk the DAG: needs first, up to `concurrency` at once, stop starting new steps after a failure. */
export async function executeSteps(o: ExecuteOptions): Promise<ExecuteOutcome> {
  const steps = o.runbook.steps;
  const concurrency = Math.max(1, o.concurrency ?? o.runbook.concurrency);
  const records = new Map<string, StepRecord>();
  const queuedAt = new Map<string, string>();
  const appliedOrder: string[] = [];
  const undoOrder: string[] = [];
  const running = new Map<string, Promise<void>>();
  let failed = false;
  let fatal: unknown;
  const iso = (): string => new Date(o.clock.now()).toISOString();

  for (const [id, p] of o.prior ?? []) {
    records.set(id, recordOfPrior(p, emptyTiming(iso(), p.status)));
    if (p.status === 'applied') {
      appliedOrder.push(id);
      undoOrder.push(id);
    }
  }
  const done = (id: string): boolean => {
    const s = records.get(id)?.status;
    return s === 'applied' || s === 'skipped';
  };
  const outputsOf = (id: string) => (done(id) ? records.get(id)?.outputs : undefined);

  // Kahn's walk: each step counts its needs not yet done; a step is ready when that count reaches 0.
  // Ready steps start in runbook order (or at random with shuffle), as many as concurrency allows.
  const indexOf = new Map(steps.map((s, i) => [s.id, i] as const));
  const unmet = new Map<string, number>();
  const dependents = new Map<string, StepSpec[]>();
  const ready = new MinHeap();
  const fresh: number[] = [];
  steps.forEach((s, i) => {
    let n = 0;
    for (const id of new Set(s.needs)) {
      if (done(id)) continue;
      n++;
      const list = dependents.get(id);
      if (list) list.push(s);
      else dependents.set(id, [s]);
    }
    unmet.set(s.id, n);
    if (n === 0 && !records.has(s.id)) fresh.push(i);
  });
  const finished = (id: string): void => {
    if (!done(id)) return;
    for (const d of dependents.get(id) ?? []) {
      const n = (unmet.get(d.id) ?? 1) - 1;
      unmet.set(d.id, n);
      if (n === 0 && !records.has(d.id)) fresh.push(indexOf.get(d.id) ?? 0);
    }
  };
  /** Queue the steps that became ready (step.queued, in runbook order). */
  const markReady = async (): Promise<void> => {
    const batch = fresh.splice(0).sort((a, b) => a - b);
    for (const i of batch) {
      const s = steps[i] as StepSpec;
      if (queuedAt.has(s.id)) continue;
      queuedAt.set(s.id, iso());
      ready.push(i);
      await o.emit({ type: 'step.queued', stepId: s.id });
    }
  };
  const next = (): StepSpec => steps[o.shuffle ? ready.takeAt(Math.floor(Math.random() * ready.size)) : ready.pop()] as StepSpec;

  const start = (s: StepSpec): void => {
    const task = (async () => {
      const startedAt = iso();
      const t0 = o.clock.monotonic();
      let life: StepLifeResult & { params: unknown };
      try {
        life = await recovered(o, s, await runOne(o, s, outputsOf));
      } catch (e) {
        // only emitting can throw here: the journal is gone, so this step's outcome is unknown
        fatal ??= e;
        records.set(s.id, {
          status: 'cancelled',
          before: o.intents?.get(s.id),
          after: undefined,
          outputs: {},
          params: undefined,
          error: { phase: 'apply', message: `journal write failed: ${(e as Error).message}`, retryable: false },
          timing: emptyTiming(queuedAt.get(s.id) ?? startedAt, 'cancelled'),
        });
        return;
      }
      const timing: StepTiming = {
        queuedAt: queuedAt.get(s.id) ?? startedAt,
        startedAt,
        endedAt: iso(),
        durationMs: o.clock.monotonic() - t0,
        attempts: life.attempts,
        phases: life.phases,
        status: life.status,
      };
      records.set(s.id, {
        status: life.status,
        before: life.before,
        intended: life.intended,
        after: life.after,
        outputs: life.outputs,
        params: life.params,
        error: life.error,
        timing,
      });
      finished(s.id);
      if (life.status === 'applied') appliedOrder.push(s.id);
      if (life.status === 'applied' || (life.intended && (life.status === 'failed' || life.status === 'cancelled'))) undoOrder.push(s.id);
      if (life.status === 'failed' || life.status === 'cancelled') failed = true;
      await o.emit({ type: 'step.timing', stepId: s.id, timing }).catch((e: unknown) => void (fatal ??= e));
    })();
    running.set(
      s.id,
      task.finally(() => running.delete(s.id)),
    );
  };

  for (;;) {
    if (!failed && !o.stop.aborted && fatal === undefined) {
      try {
        await markReady();
        while (ready.size > 0 && running.size < concurrency && fatal === undefined) start(next());
      } catch (e) {
        fatal ??= e;
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  for (const s of steps) {
    if (records.has(s.id)) continue;
    const reason =
      fatal !== undefined
        ? 'not started: the journal could not be written'
        : o.stop.aborted
          ? 'not started: run interrupted'
          : 'not started: an earlier step failed';
    if (fatal === undefined) await o.emit({ type: 'step.cancelled', stepId: s.id, reason }).catch((e: unknown) => void (fatal ??= e));
    records.set(s.id, {
      status: 'cancelled',
      before: undefined,
      after: undefined,
      outputs: {},
      params: undefined,
      error: undefined,
      timing: emptyTiming(queuedAt.get(s.id) ?? iso(), 'cancelled'),
    });
  }
  const status = fatal !== undefined ? 'failed' : o.stop.aborted ? 'interrupted' : failed ? 'failed' : 'succeeded';
  return { status, steps: records, appliedOrder, undoOrder, ...(fatal === undefined ? {} : { fatal }) };
}

async function runOne(
  o: ExecuteOptions,
  s: StepSpec,
  outputsOf: (id: string) => Readonly<Record<string, unknown>> | undefined,
): Promise<StepLifeResult & { params: unknown }> {
  const kind = o.registry.get(s.kind);
  let params: unknown;
  try {
    if (!kind) throw new Error(`unknown kind "${s.kind}"`);
    params = o.resolveParams(s, outputsOf);
  } catch (e) {
    const error: StepErrorInfo = { phase: 'observe', message: (e as Error).message, retryable: false };
    await o.emit({ type: 'step.started', stepId: s.id, attempt: 1 });
    await o.emit({ type: 'step.failed', stepId: s.id, error, notes: {} });
    return {
      status: 'failed',
      before: undefined,
      intended: false,
      after: undefined,
      outputs: {},
      error,
      attempts: 1,
      phases: {},
      notes: {},
      params: undefined,
    };
  }
  const life = await runStepLife({
    step: s,
    kind,
    params,
    abort: o.abort,
    clock: o.clock,
    emit: o.emit,
    makeContext: (signal, notes) => o.makeContext(s.id, signal, notes),
    priorIntent: o.intents?.has(s.id) === true,
  });
  return { ...life, params };
}

/** Resume: a step with a journaled intent keeps that intent's before-state; found done, it was applied. */
async function recovered(
  o: ExecuteOptions,
  s: StepSpec,
  life: StepLifeResult & { params: unknown },
): Promise<StepLifeResult & { params: unknown }> {
  if (!o.intents?.has(s.id)) return life;
  const before = o.intents.get(s.id);
  // an earlier process journaled its intent: whatever happens now, its apply may be in place
  if (life.status !== 'skipped') return life.params === undefined ? life : { ...life, before, intended: true };
  const reason = 'the effect of an apply interrupted before its outcome was journaled is in place: not applied again';
  await o.emit({ type: 'step.recovered', stepId: s.id, before, outputs: life.outputs, reason });
  return { ...life, status: 'applied', before, intended: true };
}

export function emptyTiming(at: string, status: StepStatus): StepTiming {
  return {
    queuedAt: at,
    startedAt: undefined,
    endedAt: undefined,
    durationMs: 0,
    attempts: 0,
    phases: {} as Partial<Record<StepPhase, number>>,
    status,
  };
}
