import type { EventInput, RehearsalOutcome, RtoBreakdown } from '../engine/events.js';
import { executeSteps, type ExecuteOutcome } from '../engine/executor.js';
import { firstError } from '../engine/first-error.js';
import { rollbackSteps, type RollbackItem } from '../engine/rollback.js';
import { findBudgetOverruns } from '../engine/budgets.js';
import type { KindContext } from '../kinds/types.js';
import type { KindRegistry } from '../kinds/registry.js';
import { watchProbes } from '../kinds/probe/watch.js';
import { observeAll } from '../plan/observe-all.js';
import type { Runbook } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';
import { waitForDetection } from './detect.js';
import { injectFault, restoreFault, type InjectedFault } from './fault-life.js';
import { computeRto } from './rto.js';
import { checkSteady } from './steady.js';

export interface RehearsalInput {
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly clock: Clock;
  readonly emit: (e: EventInput) => Promise<void>;
  readonly makeContext: (id: string, signal: AbortSignal, notes: Record<string, unknown>) => KindContext;
  readonly interpolate: (value: unknown, outputsOf?: (stepId: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  /** First interrupt: start no new step (the rehearsal still restores and fails back). */
  readonly stop: AbortSignal;
  /** Second interrupt: cancel running steps (restore still runs). */
  readonly abort: AbortSignal;
  readonly concurrency?: number | undefined;
}

export interface RehearsalResult {
  readonly outcome: RehearsalOutcome;
  readonly reasons: readonly string[];
  readonly rto: RtoBreakdown | null;
  readonly executed: ExecuteOutcome | undefined;
  readonly overruns: ReturnType<typeof findBudgetOverruns>;
}

const STOP_WATCH_MS = 500;

/**
 * readiness → steady state → baseline → (watch stop conditions) inject (t0) → detect → switch →
 * recovered (steady state again) → restore (always) → fail back to the baseline → steady state.
 */
export async function runRehearsalPhases(o: RehearsalInput): Promise<RehearsalResult> {
  const { runbook, clock, emit } = o;
  const fault = runbook.fault;
  if (!fault) throw new Error('internal: rehearse needs spec.fault (validated by the command)');
  const ctxFor = (id: string, signal: AbortSignal = o.abort): KindContext => o.makeContext(id, signal, {});
  const steady = (group: 'readiness' | 'steadyState', untilMs?: number) =>
    checkSteady(group === 'readiness' ? runbook.readiness : runbook.steadyState, {
      group, emit, interpolate: (v) => o.interpolate(v), makeContext: (name) => ctxFor(`${group}:${name}`),
      ...(untilMs === undefined ? {} : { untilMs }),
    });
  const nothingChanged = (reason: string): RehearsalResult => ({ outcome: 'FAILED', reasons: [`${reason}: nothing was changed`], rto: null, executed: undefined, overruns: [] });

  const notReady = await steady('readiness');
  if (notReady.length > 0) return nothingChanged(`readiness failed (${notReady.join(', ')})`);
  const off = await steady('steadyState');
  if (off.length > 0) return nothingChanged(`steady state does not hold before the fault (${off.join(', ')})`);
  // the world before the fault: what fail-back restores, also for steps the estate healed by itself
  const baseline = await observeAll({
    runbook, registry: o.registry, signal: o.abort,
    interpolate: (step, outputsOf) => o.interpolate(step.with, outputsOf),
    makeContext: (id, signal) => ctxFor(id, signal),
  });
  const faultKind = o.registry.get(fault.kind);
  if (!faultKind) return nothingChanged(`unknown fault kind "${fault.kind}"`);

  const reasons: string[] = [];
  const breach = new AbortController();
  const stopWatching = watchProbes(runbook.stopConditions, ctxFor('stop-conditions'), STOP_WATCH_MS, (b) => {
    reasons.push(`stop condition "${b.name}" breached: ${b.detail}`);
    void emit({ type: 'stop.breached', name: b.name, detail: b.detail }).catch(() => undefined);
    breach.abort(b.name);
  }, { interpolate: (v) => o.interpolate(v) });
  const halted = AbortSignal.any([o.stop, breach.signal]);
  const faultOptions = { spec: fault, clock, makeContext: (signal: AbortSignal) => ctxFor('fault', signal) };

  let injected: InjectedFault | undefined;
  let t0 = 0;
  let detectedAt: number | undefined;
  let switchEnd: number | undefined;
  let recoveredAt: number | undefined;
  let executed: ExecuteOutcome | undefined;
  const faultParams = o.interpolate(fault.with);
  try {
    injected = await injectFault({ ...faultOptions, kind: faultKind, params: faultParams }, o.abort, async (intent) => {
      await emit({ type: 'fault.intent', ...intent });
      // from here on restore must run, even when the apply fails half-way
      injected = { kind: faultKind, params: faultParams, ...intent };
      t0 = clock.monotonic();
    });
    await emit({ type: 'fault.injected', describe: injected.describe });
    const detector = await waitForDetection(fault.detect, ctxFor('detect', halted), fault.detectTimeoutMs, (v) => o.interpolate(v));
    if (detector === undefined && fault.detect.length > 0) {
      reasons.push(halted.aborted ? 'stopped before the fault was detected' : `nothing detected the fault within ${formatDuration(fault.detectTimeoutMs)}`);
    } else {
      detectedAt = clock.monotonic();
      await emit({ type: 'fault.detected', probe: detector ?? '(no detect probes: t0)', afterMs: detectedAt - t0 });
      executed = await executeSteps({
        runbook, registry: o.registry, emit, clock, stop: halted, abort: o.abort, makeContext: o.makeContext,
        resolveParams: (step, outputsOf) => o.interpolate(step.with, outputsOf),
        ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
      });
      switchEnd = clock.monotonic();
      if (executed.status !== 'succeeded') reasons.push(firstError(executed) ?? `the switch ${executed.status}`);
      else {
        const notBack = await steady('steadyState', fault.recoverTimeoutMs);
        if (notBack.length > 0) reasons.push(`steady state did not return within ${formatDuration(fault.recoverTimeoutMs)} (${notBack.join(', ')})`);
        else {
          recoveredAt = clock.monotonic();
          await emit({ type: 'rehearsal.recovered', rtoMs: recoveredAt - t0 });
        }
      }
    }
  } catch (e) {
    reasons.push((e as Error).message);
  } finally {
    await stopWatching();
    if (injected) {
      const restoreError = await restoreFault(faultOptions, injected).then(() => undefined, (e: unknown) => (e as Error).message);
      if (restoreError) reasons.push(`restoring the fault failed: ${restoreError}`);
      await emit({ type: 'fault.restored', describe: injected.describe, ok: restoreError === undefined });
    }
  }

  const backOk = await failBack(o, executed, baseline);
  if (!backOk) reasons.push('fail-back incomplete: see the journal');
  else if (runbook.steadyState.length > 0) {
    const after = await steady('steadyState', fault.recoverTimeoutMs);
    if (after.length > 0) reasons.push(`steady state does not hold after fail-back (${after.join(', ')})`);
  }
  const rto = recoveredAt === undefined || executed === undefined ? null
    : computeRto({ t0, detectedAt: detectedAt ?? t0, switchEnd: switchEnd ?? recoveredAt, recoveredAt, executed });
  const overruns = executed && switchEnd !== undefined ? findBudgetOverruns({ ...runbook, budgetMs: undefined }, executed.steps, 0) : [];
  for (const b of overruns) await emit(b);
  reasons.push(...overruns.map((b) => b.message));
  if (rto && runbook.budgetMs !== undefined && rto.totalMs > runbook.budgetMs) {
    const message = `RTO ${formatDuration(rto.totalMs)} is over the budget of ${formatDuration(runbook.budgetMs)}`;
    await emit({ type: 'budget.exceeded', stepId: undefined, durationMs: rto.totalMs, budgetMs: runbook.budgetMs, message });
    reasons.push(message);
  }
  const outcome: RehearsalOutcome = o.stop.aborted ? 'INTERRUPTED' : reasons.length === 0 ? 'SUCCEEDED' : 'FAILED';
  return { outcome, reasons, rto, executed, overruns };
}

/** Undo every step in reverse order of completion, back to the state observed before the fault. */
async function failBack(o: RehearsalInput, executed: ExecuteOutcome | undefined, baseline: Awaited<ReturnType<typeof observeAll>>): Promise<boolean> {
  if (!executed) return true;
  const finished = [...executed.steps.entries()].filter(([, r]) => r.status === 'applied' || r.status === 'skipped');
  finished.sort(([, a], [, b]) => (b.timing.endedAt ?? '').localeCompare(a.timing.endedAt ?? ''));
  const items: RollbackItem[] = [];
  for (const [id, rec] of finished) {
    const step = o.runbook.steps.find((s) => s.id === id);
    const kind = o.registry.get(step?.kind ?? '');
    // back to the world before the fault (a step's own before-state was observed during the outage)
    const before = baseline.get(id)?.state ?? (rec.status === 'applied' ? rec.before : undefined);
    if (!step || !kind || before === undefined) continue;
    const params = rec.params ?? baseline.get(id)?.params;
    items.push({ stepId: id, kind, params, before, timeoutMs: step.timeoutMs, verifyIntervalMs: step.verifyIntervalMs });
  }
  return rollbackSteps(items, { reason: 'rehearsal: fail back', clock: o.clock, emit: o.emit, abort: new AbortController().signal, makeContext: o.makeContext });
}
