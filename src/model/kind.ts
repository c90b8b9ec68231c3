import type { StepAssessment } from './assess.js';
import type { CommandOptions, CommandResult } from './command.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/**
 * The plug-in contract: every step kind implements the same life (design.md):
 *   observe (read-only) → decide (pure) → apply (change) → verify (engine polls observe until holds)
 *   → rollback (back to the observed `before`).
 * The engine owns timeouts, retries, polling, journaling and rollback order; a kind only talks to its
 * system. Kinds never print, never read process.env and never exit: all they need is in KindContext.
 *
 * P = the step's params (its `with:` block, after interpolation; secrets arrive as Secret objects),
 * S = the observed state (plain JSON data: it is journaled as the step's `before` and `after`).
 */

/** What a kind's rollback resolves to when it sent nothing (kind.ts Kind.rollback). */
export const NOTHING_UNDONE = 'nothing-undone' as const;
export interface StepKind<P = unknown, S = unknown> {
  /** Dotted lowercase name used in runbooks: 'exec', 'redis.failover'. */
  readonly name: string;
  /** One line for `drctl schema` and docs. */
  readonly description: string;
  /**
   * JSON Schema (draft 2020-12 subset) of the `with:` block. Used by `validate` (every error gets the
   * file:line:column of the offending value) and exported by `drctl schema` for editor completion.
   * Strings that may carry `${...}` interpolations should be typed "string".
   */
  readonly paramsSchema: JsonSchema;
  /** Output names this kind sets (for the static check of `${steps.ID.outputs.NAME}`); omit = any. */
  readonly outputNames?: readonly string[];
  /**
   * Load what observe/apply need (a client library), which a kind imports lazily so that commands not
   * using it start fast. A run calls it before it starts, so no step's time (no RTO) includes the load.
   */
  preload?(): Promise<unknown>;
  /** Extra static checks beyond the schema (pure). Paths are relative to the `with:` block. */
  check?(params: P): readonly ParamProblem[];
  /**
   * What this step changes that no other step of the same runbook may change (an include file): validate
   * refuses two steps with one key. Pure; paths are relative to the `with:` block; keys compare as text
   * (with `${params.X}` replaced by the param's default where it has one).
   */
  claims?(params: P): readonly { readonly path: readonly (string | number)[]; readonly key: string; readonly what: string }[];
  /** Read the current state. Must not change anything: plan calls it against production. */
  observe(params: P, ctx: KindContext): Promise<S>;
  /** Pure: compare current state with what the step wants. */
  decide(params: P, current: S): Decision<S>;
  /** Change the world toward `desired`. Never called by plan / --dry-run. */
  apply(params: P, change: Change<S>, ctx: KindContext): Promise<void>;
  /** Verify predicate: does `current` satisfy `desired`? The engine polls observe() until it does. */
  holds(params: P, desired: S, current: S): Holds;
  /**
   * Restore `change.desired` (= the `before` state the step observed). Optional: when absent the
   * engine calls apply() with desired = before. Kinds that cannot go back set reversible() false.
   * Resolves to NOTHING_UNDONE when it found nothing to send (what differs settles by itself, e.g. a
   * health check coming back UP): the engine still waits for `before` to hold, and reports the step
   * "already as before", not rolled back.
   */
  rollback?(params: P, change: Change<S>, ctx: KindContext): Promise<void | typeof NOTHING_UNDONE>;
  /** Can this step be undone? Default true. */
  reversible?(params: P): boolean;
  /**
   * Wait until the estate has stopped changing this step's state by itself (Redis Sentinel electing a
   * new master after a cut), within ctx.signal. An undo calls it before it observes: deciding "already as
   * before" while an election is under way would leave the estate to it.
   */
  settle?(params: P, ctx: KindContext): Promise<void>;
  /**
   * The kind changes nothing in the estate (wait, gate): a rollback passes its steps by without
   * observing them (nothing to undo), whatever their condition says now.
   */
  readonly changesNothing?: boolean;
  /**
   * Can observe() tell this step's state? Default true. When false (an exec/http step with no observe
   * request), observe returns a placeholder: an undo then always runs the rollback (it cannot know the
   * change is gone), and a resume cannot tell whether an interrupted apply took effect.
   */
  observable?(params: P): boolean;
  /** Short human line for plans and reports: "master 127.0.0.1:7001 (hz-a) → 127.0.0.1:7003 (sh-a)". */
  describe(params: P, before: S, after: S | undefined): string;
  /**
   * How an undo reads, from the state found to the before-state restored. Optional: describe(params,
   * current, before) otherwise. For kinds whose states cannot tell an undo from an apply (unobservable).
   */
  describeUndo?(params: P, current: S, before: S): string;
  /**
   * What-if (drctl assess, inspect): from the state observe read now, would this step succeed if the data
   * centers in `lost` were gone, and at what cost (data lost, headroom, quorum, TTL)? Pure: no I/O at all
   * (observe reads every fact it needs). Optional: without it a step is judged `unknown`, unless it
   * declares the data center it needs (`dc:` on the step).
   */
  assess?(params: P, observed: S, lost: readonly string[]): StepAssessment;
  /** Values later steps may read as ${steps.ID.outputs.NAME}; computed from the final state. */
  outputs?(params: P, state: S): Readonly<Record<string, unknown>>;
  /** Default poll interval for verify, ms (default 200). */
  readonly verifyIntervalMs?: number;
  /**
   * Fault kinds: the data centers this fault cuts, from its params (fault.freeze: its `dcs`). A rehearsal
   * gives them to the switch's steps as `ctx.lost`. Absent: the fault says nothing (the runbook's
   * `fault.lost` may).
   */
  lostDcs?(params: P): readonly string[];
}

export interface Change<S> {
  readonly current: S;
  readonly desired: S;
}

export type Decision<S> = { readonly action: 'noop'; readonly reason?: string } | { readonly action: 'change'; readonly desired: S };

export type Holds = { readonly ok: true } | { readonly ok: false; readonly detail: string };
export const HOLDS: Holds = { ok: true };
export const notYet = (detail: string): Holds => ({ ok: false, detail });

export interface ParamProblem {
  /** Path inside `with:`, e.g. ['observe', 'cmd', 0]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** What a kind may use. Everything it does goes through here (testable, cancellable, logged). */
export interface KindContext {
  readonly runId: string;
  readonly stepId: string;
  /** Folder of the runbook: relative paths in params resolve against it. */
  readonly baseDir: string;
  /**
   * Aborted on step timeout, on cancellation (SIGINT) and on run abort. Pass it to every IO call: once it
   * aborts, the kind's observe/apply/rollback must settle within ABORT_GRACE_MS, also when its server is
   * frozen or half-open (the engine waits that long for it before a retry or a rollback touches the same
   * system).
   */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly log: Logger;
  /**
   * The data centers this run knows are lost (`--lost`, a scenario's `lost`, a rehearsal's fault targets);
   * empty when none. A kind asks every member at once and does not wait on members there: it decides on
   * the survivors' answers (Sentinel rather than the old master, the standby rather than the old primary),
   * uses a lost member's answer only if it came by then, and records the others as silent, expected.
   * It still refuses what is unsafe without them (a promotion that needs the old primary's position waits
   * for it, or accepts data loss only where the runbook says so). Undo (rollback, fail-back) gets none:
   * going back means the lost side is back.
   */
  readonly lost: readonly string[];
  /** Run argv (never a shell); kills the whole process tree on timeout/abort. */
  exec(argv: readonly string[], options?: Omit<CommandOptions, 'signal'>): Promise<CommandResult>;
  /** Progress text for the live view (heartbeat). */
  progress(message: string): void;
  /**
   * The detail of the last sample that did not hold while a kind waits inside apply (wait.until, a rules
   * catch-up): a step timeout then tells it ("apply timed out after 5s: <detail>"), not "no answer".
   */
  miss?(detail: string): void;
  /** A fact recorded with the step in the journal and the report: lag, election time, TTL... */
  note(key: string, value: unknown): void;
  /** Ask for a human approval (gate kind). Resolves true/false; never waits when nobody can answer. */
  approve(question: string): Promise<boolean>;
  /**
   * Time left before the step attempt's timeout (ms; Infinity when none is known): a kind whose action
   * must be undone when it cannot finish (a fenced primary restarted) keeps time to undo it.
   */
  remainingMs?(): number;
}

/**
 * How long a kind may take to stop after its signal aborts: a command's SIGTERM → SIGKILL grace (2 s)
 * plus scheduling on a busy machine. Cleanup a kind must still do after an abort (restore a Redis
 * replica's priority, lift a rules fence) fits inside it; the one documented exception is db.primary
 * restarting a primary it fenced, which it starts early enough to finish within the step's own timeout.
 */
export const ABORT_GRACE_MS = 3000;

export interface StepErrorOptions {
  readonly retryable?: boolean;
  readonly cause?: unknown;
  /** The action never began, so it changed nothing (a command that could not be started): nothing to undo. */
  readonly unchanged?: boolean;
}

/** A step failure the kind knows about. retryable=false stops retries (wrong role, unknown backend). */
export class StepError extends Error {
  readonly stepError = true as const;
  readonly retryable: boolean;
  readonly unchanged: boolean;
  constructor(message: string, options: StepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepError';
    this.retryable = options.retryable ?? true;
    this.unchanged = options.unchanged ?? false;
  }
}

export const stepError = (message: string, options: StepErrorOptions = {}): StepError => new StepError(message, options);

export function isStepError(e: unknown): e is StepError {
  return typeof e === 'object' && e !== null && (e as { stepError?: unknown }).stepError === true;
}

/** Minimal JSON Schema type: plain data. */
export type JsonSchema = { readonly [key: string]: unknown };

/** A plugin module exports `apiVersion = 1` and `kinds: StepKind[]`. */
export interface PluginModule {
  readonly apiVersion: 1;
  readonly kinds: readonly StepKind<unknown, unknown>[];
}

/** Erase a kind's type parameters for storage in the registry. */
export type AnyKind = StepKind<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
