/**
 * The one typed stream the engine emits. The journal, the live view, --json NDJSON and the reports
 * consume these (the run's pino log holds only what is not an event). Every event is plain JSON and carries the wall-clock time.
 */
export const EVENT_SCHEMA_VERSION = 1;

export type RunMode = 'run' | 'drill' | 'rollback' | 'resume' | 'rehearse';
export type StepPhase = 'observe' | 'apply' | 'verify' | 'rollback';
export type RunStatus = 'succeeded' | 'failed' | 'interrupted' | 'running' | 'skipped';
export type StepStatus =
  | 'waiting'
  | 'running'
  | 'skipped'
  | 'applied'
  | 'failed'
  | 'retrying'
  | 'rolling-back'
  | 'rolled-back'
  /** An undo (fail-back or rollback) found the step already as before: nothing undone. */
  | 'already-as-before'
  | 'cancelled';

export interface StepErrorInfo {
  readonly message: string;
  readonly phase: StepPhase;
  readonly retryable: boolean;
  readonly timedOut?: boolean;
  /** Its apply never began (no earlier attempt's either): the step changed nothing and is not undone. */
  readonly unchanged?: boolean;
}

interface Base {
  readonly runId: string;
  /** ISO-8601 UTC. */
  readonly at: string;
}

export type EngineEvent =
  | (Base & {
      readonly type: 'run.started';
      readonly mode: RunMode;
      readonly runbook: { readonly name: string; readonly file: string; readonly hash: string };
      readonly params: Readonly<Record<string, unknown>>;
      /** `budgetMs`: the step's `budget:` (absent in journals written before budgets were recorded here). */
      readonly steps: readonly {
        readonly id: string;
        readonly kind: string;
        readonly needs: readonly string[];
        readonly budgetMs?: number;
      }[];
      /** The runbook's `spec.budget`: the whole switch's (a rehearsal's: the RTO's). */
      readonly budgetMs?: number;
      readonly host: string;
      readonly user: string;
      readonly pid: number;
      /** The data centers the run was told are lost (`--lost`): its steps did not wait on members there. */
      readonly lost?: readonly string[];
    })
  | (Base & {
      readonly type: 'check.passed' | 'check.failed';
      readonly group: CheckGroup;
      readonly name: string;
      readonly detail: string;
      readonly durationMs: number;
      /**
       * When in the run the group was checked: a drill's steady state 'before the drill', 'after the switch',
       * 'after fail-back'; a rehearsal's 'before the fault', 'recovered', 'after fail-back'.
       */
      readonly phase?: string;
    })
  | (Base & { readonly type: 'step.queued'; readonly stepId: string })
  | (Base & { readonly type: 'step.started'; readonly stepId: string; readonly attempt: number })
  | (Base & {
      readonly type: 'step.phase';
      readonly stepId: string;
      readonly phase: StepPhase;
      readonly durationMs: number;
      readonly ok: boolean;
    })
  | (Base & { readonly type: 'step.progress'; readonly stepId: string; readonly message: string })
  /** A command a step started: a later resume or rollback stops it if a dead controller left it running. */
  | (Base & {
      readonly type: 'step.command';
      readonly stepId: string;
      readonly pid: number;
      readonly startTime: string;
      readonly command: string;
    })
  | (Base & {
      /** Written (durably) right before apply: the observed before-state and the desired state. */
      readonly type: 'step.intent';
      readonly stepId: string;
      readonly attempt: number;
      readonly before: unknown;
      readonly desired: unknown;
      readonly describe: string;
    })
  | (Base & {
      readonly type: 'step.skipped';
      readonly stepId: string;
      readonly reason: string;
      readonly state: unknown;
      readonly outputs: Readonly<Record<string, unknown>>;
    })
  | (Base & {
      readonly type: 'step.applied';
      readonly stepId: string;
      readonly after: unknown;
      readonly describe: string;
      readonly outputs: Readonly<Record<string, unknown>>;
      readonly notes: Readonly<Record<string, unknown>>;
    })
  | (Base & {
      readonly type: 'step.retrying';
      readonly stepId: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: StepErrorInfo;
    })
  | (Base & {
      readonly type: 'step.failed';
      readonly stepId: string;
      readonly error: StepErrorInfo;
      readonly notes: Readonly<Record<string, unknown>>;
    })
  | (Base & { readonly type: 'step.cancelled'; readonly stepId: string; readonly reason: string })
  | (Base & { readonly type: 'step.timing'; readonly stepId: string; readonly timing: StepTiming })
  | (Base & { readonly type: 'rollback.started'; readonly reason: string; readonly steps: readonly string[] })
  | (Base & { readonly type: 'step.rolling-back'; readonly stepId: string })
  | (Base & {
      /** Written (durably, fenced) right before a rollback action: the state found, and the before-state it restores. */
      readonly type: 'step.rollback-intent';
      readonly stepId: string;
      readonly current: unknown;
      readonly before: unknown;
    })
  | (Base & {
      readonly type: 'step.rolled-back';
      readonly stepId: string;
      /** What the undo did, or ALREADY_AS_BEFORE when nothing had to be undone. */
      readonly describe: string;
      readonly durationMs: number;
      /**
       * false: the step's state already equalled the state it is rolled back to, so nothing was undone
       * ("already as before"). Records written before this field existed lack it: read them as true.
       */
      readonly changed: boolean;
    })
  | (Base & { readonly type: 'step.rollback-failed'; readonly stepId: string; readonly error: StepErrorInfo; readonly durationMs: number })
  | (Base & { readonly type: 'rollback.finished'; readonly ok: boolean })
  | (Base & {
      readonly type: 'budget.exceeded';
      readonly stepId: string | undefined;
      readonly durationMs: number;
      readonly budgetMs: number;
      readonly message: string;
    })
  | (Base & { readonly type: 'run.interrupted'; readonly signal: string })
  | (Base & {
      /** Resume found the effect of an apply interrupted before its outcome was journaled already in place. */
      readonly type: 'step.recovered';
      readonly stepId: string;
      readonly before: unknown;
      readonly outputs: Readonly<Record<string, unknown>>;
      readonly reason: string;
    })
  | (Base & {
      /** A later process (drctl resume / rollback) took the run over; follows that process's run.started. */
      readonly type: 'run.resumed';
      readonly mode: RunMode;
      readonly fromSeq: number;
      readonly forced: boolean;
      readonly runbookChanges: readonly string[];
      readonly journalWarning: string | undefined;
      readonly done: readonly string[];
      readonly inFlight: readonly string[];
      /** In-flight steps the operator decided for (resume --assume-applied / --reapply). */
      readonly decisions?: { readonly assumeApplied: readonly string[]; readonly reapply: readonly string[] };
    })
  | (Base & {
      readonly type: 'lock.acquired';
      readonly scope: string;
      readonly token: number;
      readonly expiresAt: string;
      /** The stale holder whose lease was taken over, if any. */
      readonly tookOver: { readonly runId: string; readonly holder: string; readonly token: number; readonly why: string } | undefined;
    })
  | (Base & { readonly type: 'lock.force-released'; readonly scope: string; readonly token: number; readonly by: string })
  | (Base & {
      /**
       * The state of every step before anything changed (a rehearsal: observed before the fault), keyed by
       * step id: what a later `drctl rollback` returns every step to, whatever changed it since — an apply,
       * the estate by itself during the cut (an election), or an apply cut off. Steps whose observe failed
       * are named in `unobserved` with the reason.
       */
      readonly type: 'run.baseline';
      readonly states: Readonly<Record<string, unknown>>;
      readonly unobserved: Readonly<Record<string, string>>;
    })
  /** Journaled right before the fault's apply, with what restore must put back (a crashed rehearsal is restored from it). */
  | (Base & { readonly type: 'fault.intent'; readonly describe: string; readonly before: unknown })
  | (Base & { readonly type: 'fault.injected'; readonly describe: string; readonly lost?: readonly string[] })
  | (Base & { readonly type: 'fault.detected'; readonly probe: string; readonly afterMs: number; readonly notified?: readonly string[] })
  | (Base & { readonly type: 'fault.restored'; readonly describe: string; readonly ok: boolean })
  | (Base & { readonly type: 'rehearsal.recovered'; readonly rtoMs: number })
  | (Base & { readonly type: 'stop.breached'; readonly name: string; readonly detail: string })
  | (Base & { readonly type: 'rehearsal.skipped'; readonly reason: string })
  | (Base & {
      readonly type: 'rehearsal.finished';
      readonly outcome: RehearsalOutcome;
      readonly rto: RtoBreakdown | null;
      readonly budgetMs: number | undefined;
      readonly reasons: readonly string[];
      /** Per-step budgets (for the report's timeline), optional. */
      readonly stepBudgetsMs?: Readonly<Record<string, number>>;
    })
  | (Base & {
      readonly type: 'run.finished';
      readonly status: RunStatus;
      readonly durationMs: number;
      readonly summary: RunSummary;
      /** A `drctl rollback` session: what the rollback itself did (the run keeps its own status: a killed rehearsal stays interrupted). */
      readonly rollback?: RunStatus;
    });

export type EngineEventType = EngineEvent['type'];

export type CheckGroup = 'readiness' | 'steadyState' | 'stopConditions';

export type RehearsalOutcome = 'SUCCEEDED' | 'FAILED' | 'INTERRUPTED' | 'SKIPPED';

/** A rehearsal's RTO = recovered − t0 (the cut: the fault's apply starts), split into detection, switch (per step) and convergence. */
export interface RtoBreakdown {
  readonly totalMs: number;
  readonly detectionMs: number;
  readonly switchMs: number;
  readonly convergenceMs: number;
  readonly steps: Readonly<Record<string, number>>;
}

/** Per-step timing: wall-clock marks (ISO) and phase durations (ms). */
export interface StepTiming {
  readonly queuedAt: string;
  readonly startedAt: string | undefined;
  readonly endedAt: string | undefined;
  readonly durationMs: number;
  readonly attempts: number;
  readonly phases: Readonly<Partial<Record<StepPhase, number>>>;
  readonly status: StepStatus;
}

export interface RunSummary {
  readonly steps: Readonly<Record<string, { readonly status: StepStatus; readonly durationMs: number }>>;
  readonly criticalPath: readonly string[];
  readonly criticalPathMs: number;
  readonly budgetExceeded: readonly string[];
  readonly error?: string;
}

/** Distributes Omit over a union (Omit on a union collapses it). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<EngineEvent, 'runId' | 'at'>;

export type EventListener = (event: EngineEvent) => void;

/** How a rollback that found nothing to undo describes it (event, journal, views, reports). */
export const ALREADY_AS_BEFORE = 'already as before: nothing undone';
