import type { EngineEvent, RehearsalOutcome, RtoBreakdown } from '../model/events.js';

/** The rehearsal part of a run report: the marks of the fault's life and the measured RTO. */
export interface RehearsalReport {
  /**
   * t0, the cut, ISO: when the fault's intent was journaled, right before its apply started (the same
   * instant the RTO is measured from). Older journals without fault.intent: when it was in place.
   */
  readonly t0: string | undefined;
  readonly fault: string | undefined;
  /** When the fault was verified in place (its apply and verify done), ISO; undefined if it never was. */
  readonly injectedAt: string | undefined;
  readonly detectedAt: string | undefined;
  readonly detectedBy: string | undefined;
  readonly recoveredAt: string | undefined;
  readonly restoredAt: string | undefined;
  readonly restoreOk: boolean | undefined;
  readonly outcome: RehearsalOutcome | undefined;
  readonly rto: RtoBreakdown | null;
  readonly budgetMs: number | undefined;
  /** Per-step budgets when the rehearsal recorded them (rehearsal.finished.stepBudgetsMs). */
  readonly stepBudgetsMs: Readonly<Record<string, number>>;
  readonly reasons: readonly string[];
  readonly stopBreaches: readonly { readonly name: string; readonly detail: string; readonly at: string }[];
  readonly skippedReason: string | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const REHEARSAL_EVENTS: ReadonlySet<string> = new Set([
  'fault.intent',
  'fault.injected',
  'fault.detected',
  'fault.restored',
  'rehearsal.recovered',
  'stop.breached',
  'rehearsal.skipped',
  'rehearsal.finished',
]);

/** Pure: the rehearsal section from the journal, or undefined when the run was not a rehearsal. */
export function buildRehearsalSection(events: readonly EngineEvent[], isRehearsal: boolean): RehearsalReport | undefined {
  if (!isRehearsal && !events.some((e) => REHEARSAL_EVENTS.has(e.type))) return undefined;
  const r: Mutable<RehearsalReport> = {
    t0: undefined,
    fault: undefined,
    injectedAt: undefined,
    detectedAt: undefined,
    detectedBy: undefined,
    recoveredAt: undefined,
    restoredAt: undefined,
    restoreOk: undefined,
    outcome: undefined,
    rto: null,
    budgetMs: undefined,
    stepBudgetsMs: {},
    reasons: [],
    stopBreaches: [],
    skippedReason: undefined,
  };
  const breaches: Mutable<RehearsalReport>['stopBreaches'][number][] = [];
  for (const e of events) {
    switch (e.type) {
      case 'fault.intent':
        r.t0 ??= e.at;
        r.fault ??= e.describe;
        break;
      case 'fault.injected':
        r.t0 ??= e.at;
        r.fault ??= e.describe;
        r.injectedAt ??= e.at;
        break;
      case 'fault.detected':
        // detected = t0 + the detection time the RTO counts (the event is written a moment after the probe saw the fault)
        r.detectedAt ??= r.t0 === undefined ? e.at : new Date(Date.parse(r.t0) + e.afterMs).toISOString();
        r.detectedBy ??= e.probe;
        break;
      case 'rehearsal.recovered':
        // recovered = when steady state first held (t0 + RTO), not when its confirmations were counted
        r.recoveredAt ??= r.t0 === undefined ? e.at : new Date(Date.parse(r.t0) + e.rtoMs).toISOString();
        break;
      case 'fault.restored':
        r.restoredAt = e.at;
        r.restoreOk = e.ok;
        break;
      case 'stop.breached':
        breaches.push({ name: e.name, detail: e.detail, at: e.at });
        break;
      case 'rehearsal.skipped':
        r.skippedReason = e.reason;
        break;
      case 'rehearsal.finished':
        // older records could carry a null reason (an abort's reason was not a message)
        Object.assign(r, {
          outcome: e.outcome,
          rto: e.rto,
          budgetMs: e.budgetMs,
          reasons: e.reasons.filter((x) => typeof x === 'string'),
          stepBudgetsMs: e.stepBudgetsMs ?? {},
        });
        break;
      default:
        break;
    }
  }
  r.stopBreaches = breaches;
  return r;
}
