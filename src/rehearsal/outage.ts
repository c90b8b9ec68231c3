import { executeSteps, type ExecuteOutcome } from '../engine/executor.js';
import { firstError } from '../engine/first-error.js';
import type { AnyKind } from '../model/kind.js';
import type { FaultSpec } from '../runbook/types.js';
import { formatDuration } from '../util/duration.js';
import { messageOf } from '../util/errors.js';
import { waitForDetection } from './detect.js';
import type { InjectedFault } from '../engine/fault-restore.js';
import { injectFault, InjectFailed } from './fault-life.js';
import type { RehearsalInput } from './input.js';
import { checkSteady } from './steady.js';

/** What happened between the cut and recovery, in clock.monotonic() ms. */
export interface OutageMarks {
  /** Set from the fault's intent on: from then on the fault must be restored, even if its apply failed. */
  injected: InjectedFault | undefined;
  /** The cut: the instant the fault's intent was journaled, right before its apply starts. */
  t0: number | undefined;
  detectedAt: number | undefined;
  switchEnd: number | undefined;
  recoveredAt: number | undefined;
  executed: ExecuteOutcome | undefined;
}

export interface OutageSignals {
  /** Interrupt, abort or breach: cancels the inject, the detection wait and the recovery wait. */
  readonly halt: AbortSignal;
  /** A breached stop condition (its reason is already recorded): also cancels the running steps. */
  readonly breach: AbortSignal;
}

/**
 * inject (t0; the detection probes start here, while the fault is being applied) → detected →
 * switch (the steps) → recovered (steady state holds again). Records marks as it goes and a reason for
 * anything that went wrong; throws only when the journal cannot be written. Restoring is the caller's.
 */
export async function runOutage(
  o: RehearsalInput,
  fault: { kind: AnyKind; params: unknown },
  signals: OutageSignals,
  marks: OutageMarks,
  reasons: string[],
): Promise<void> {
  const spec = o.runbook.fault;
  if (!spec) throw new Error('internal: rehearse needs spec.fault');
  const w: OutageWindow = {
    o,
    spec,
    ...signals,
    marks,
    reasons,
    phase: 'before the fault was injected',
    lost: [],
    detection: undefined,
    detectDone: new AbortController(),
  };
  try {
    if (await injectAndDetect(w, fault)) await switchAndRecover(w);
  } catch (e) {
    if (w.halt.aborted)
      stopped(w); // a breach has recorded its own reason
    else if (e instanceof InjectFailed) reasons.push(e.message);
    else throw e; // the journal could not be written
  } finally {
    w.detectDone.abort();
    await w.detection?.catch(() => undefined);
  }
}

/** The outage window's shared state: where it is (for the reason when it is cut short) and the detection in flight. */
interface OutageWindow extends OutageSignals {
  readonly o: RehearsalInput;
  readonly spec: FaultSpec;
  readonly marks: OutageMarks;
  readonly reasons: string[];
  phase: string;
  /** The data centers the fault cuts: the switch's steps do not wait on members there (ctx.lost). */
  lost: readonly string[];
  detection: Promise<number | undefined> | undefined;
  readonly detectDone: AbortController;
}

/** Cut short by an interrupt (a breach records its own reason). */
function stopped(w: OutageWindow): void {
  if (!w.breach.aborted) w.reasons.push(`interrupted (${messageOf(w.o.stop.reason ?? w.o.abort.reason)}) ${w.phase}`);
}

/** Inject (t0: journal the intent, start the detection probes, apply, verify), then wait for detection. */
async function injectAndDetect(w: OutageWindow, fault: { kind: AnyKind; params: unknown }): Promise<boolean> {
  const { o, spec, marks } = w;
  const { clock, emit } = o;
  const injected = await injectFault(
    { spec, ...fault, clock, makeContext: (signal) => o.makeContext('fault', signal, {}) },
    w.halt,
    async (intent) => {
      const t0 = clock.monotonic();
      marks.t0 = t0;
      marks.injected = { ...fault, ...intent };
      w.phase = 'while the fault was being injected';
      const written = emit({ type: 'fault.intent', describe: intent.describe, before: intent.before }); // its time is stamped now: t0
      w.detection = detect(o, AbortSignal.any([w.halt, w.detectDone.signal]), t0);
      w.detection.catch(() => undefined); // awaited below; an early failure of the inject must not leave it unhandled
      await written;
    },
  );
  marks.injected = injected;
  w.lost = lostOf(spec, fault);
  await emit({ type: 'fault.injected', describe: injected.describe, ...(w.lost.length > 0 ? { lost: w.lost } : {}) });
  const t0 = marks.t0 ?? clock.monotonic();
  w.phase = 'before the fault was detected';
  if (spec.detect.length === 0) {
    marks.detectedAt = clock.monotonic();
    await emit({ type: 'fault.detected', probe: '(no detect probes: the fault in place)', afterMs: marks.detectedAt - t0 });
    return true;
  }
  marks.detectedAt = await w.detection;
  if (marks.detectedAt !== undefined) return true;
  if (w.halt.aborted) stopped(w);
  else w.reasons.push(`nothing detected the fault within ${formatDuration(spec.detectTimeoutMs)}`);
  return false;
}

/** The switch (a breach cancels its running steps at once; an interrupt only stops new ones), then recovery. */
async function switchAndRecover(w: OutageWindow): Promise<void> {
  const { o, spec, marks, breach } = w;
  const { runbook, clock, emit } = o;
  w.phase = 'during the switch';
  marks.executed = await executeSteps({
    runbook,
    registry: o.registry,
    emit,
    clock,
    makeContext: (id, signal, notes) => o.makeContext(id, signal, notes, w.lost),
    stop: AbortSignal.any([o.stop, breach]),
    abort: AbortSignal.any([o.abort, breach]),
    resolveParams: (step, outputsOf) => o.interpolate(step.with, outputsOf),
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
  });
  marks.switchEnd = clock.monotonic();
  if (marks.executed.status === 'interrupted') return stopped(w);
  if (marks.executed.status !== 'succeeded') {
    w.reasons.push(firstError(marks.executed) ?? `the switch ${marks.executed.status}`);
    return;
  }
  w.phase = 'while waiting for steady state to return';
  // sampled from the switch's end at the rate it can change; recovered = when the last probe held (the
  // first sample of its confirming run), not when the confirmations were counted
  const heldSince = new Map<string, number>();
  const notBack = await checkSteady(runbook.steadyState, {
    group: 'steadyState',
    phase: 'recovered',
    emit,
    interpolate: (v) => o.interpolate(v),
    untilMs: spec.recoverTimeoutMs,
    heldSince,
    makeContext: (name) => o.makeContext(`steadyState:${name}`, w.halt, {}),
  });
  if (notBack.length > 0) {
    w.reasons.push(`steady state did not return within ${formatDuration(spec.recoverTimeoutMs)} (${notBack.join(', ')})`);
    return;
  }
  marks.recoveredAt = Math.max(marks.switchEnd, ...heldSince.values());
  await emit({ type: 'rehearsal.recovered', rtoMs: Math.round(marks.recoveredAt - (marks.t0 ?? 0)) });
}

/** What the fault cuts: the runbook's `fault.lost`, else what the fault kind says (fault.freeze: its dcs). */
export function lostOf(spec: FaultSpec, fault: { kind: AnyKind; params: unknown }): readonly string[] {
  return spec.lost ?? fault.kind.lostDcs?.(fault.params) ?? [];
}

/** The detection probes from t0: fault.detected (with its time after t0) when one holds. */
async function detect(o: RehearsalInput, signal: AbortSignal, t0: number): Promise<number | undefined> {
  const spec = o.runbook.fault;
  if (!spec || spec.detect.length === 0) return undefined;
  const seen = await waitForDetection(spec.detect, o.makeContext('detect', signal, {}), spec.detectTimeoutMs, (v) => o.interpolate(v), {
    all: spec.detectAll,
  });
  if (seen === undefined) return undefined;
  await o.emit({
    type: 'fault.detected',
    probe: seen.probe,
    afterMs: seen.at - t0,
    ...(seen.notified.length > 0 ? { notified: seen.notified } : {}),
  });
  return seen.at;
}
