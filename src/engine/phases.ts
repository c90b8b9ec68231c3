/**
 * The contract between the one session (engine/session.ts) and the phases strategies that say what a
 * run-like command does. The session takes the lock, journals run.started and run.finished, writes the
 * run record and hands each strategy a PhasesContext; a strategy never touches the lock or the record.
 *
 *   run, drill          engine/run-phases.ts        readiness → (steady state) → steps → (fail back)
 *   resume              engine/resume-rules.ts      the resumability rules, then run or drill phases from the journal
 *   rollback            engine/rollback-run.ts      restore a fault left in place, undo to the baseline / before-states
 *   rehearse            rehearsal/session-phases.ts fault, detection, RTO, restore, fail back
 *   skipped rehearsal   rehearsal/skipped-run.ts    no lock: records SKIPPED with its reason
 *
 * A new run-like command is a new Phases (or, for one that continues a recorded run, a Continuation).
 */
import type { KindRegistry } from '../kinds/registry.js';
import type { EventInput, EventListener, RunMode, RunStatus, RunSummary } from '../model/events.js';
import type { JournalRecord, RunMeta } from '../model/records.js';
import type { RecordedCommand } from '../model/replay.js';
import type { RuntimeScope } from '../runbook/runtime-scope.js';
import type { Runbook } from '../runbook/types.js';
import type { ReplayedRun } from '../state/journal-replay.js';
import type { HeldLock } from '../state/run-handle.js';
import type { StateStore } from '../state/store.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ContextFactory } from './context.js';

export type Emit = (e: EventInput) => Promise<void>;

/** What the session hands a strategy: the run it is part of, journaled and under its lock. */
export interface PhasesContext {
  readonly runId: string;
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly scope: RuntimeScope;
  readonly clock: Clock;
  /** Journal (durably, fenced) then tell the view. Throws once the journal or the lock is lost. */
  readonly emit: Emit;
  readonly makeContext: ContextFactory;
  /** The first interrupt, or the lock or journal lost: start nothing new. */
  readonly stop: AbortSignal;
  /** The second interrupt: cancel what runs. */
  readonly abort: AbortSignal;
  /** The lock or the journal was lost: another controller may own the run now; change nothing more. */
  readonly lost: AbortSignal;
  /** The first interrupt only (not a lost lock). */
  readonly interrupt: AbortSignal;
  readonly log: Logger;
}

export interface PhasesResult {
  /** The run record's status. */
  readonly status: RunStatus;
  readonly summary: RunSummary;
  /** Fields of the run record this strategy owns (halves, rehearsal, rolledBack). */
  readonly record?: Partial<RunMeta>;
  /** The record keeps its own start and end (a rollback: the run's times stay the run's). */
  readonly keepTimes?: boolean;
  readonly budgetExceeded?: boolean;
  /** How the command ended when that is not the record's status (a rollback: succeeded = everything back). */
  readonly verdict?: RunStatus;
}

export interface Phases {
  /** The mode run.started and the lock holder carry. */
  readonly mode: RunMode;
  /** false: it changes nothing, takes no lock and writes its (new) run unfenced: a skipped rehearsal. */
  readonly locks?: boolean;
  /** The data centers known lost (`--lost`): the switch's steps do not wait on members there (ctx.lost); run.started carries them. */
  readonly lostDcs?: readonly string[];
  run(ctx: PhasesContext): Promise<PhasesResult>;
}

/** A recorded run, read under its lock (resume, rollback). */
export interface LoadedRun {
  readonly meta: RunMeta;
  readonly replay: ReplayedRun;
  readonly records: readonly JournalRecord[];
  /** Set when unreadable journal lines were accepted (a torn tail, or --force). */
  readonly journalWarning: string | undefined;
  readonly runbook: Runbook;
  readonly registry: KindRegistry;
  readonly runbookText: string;
  readonly store: StateStore;
  readonly held: HeldLock;
  /** Tell the operator something that is not an event (a warning). */
  note(text: string): void;
}

/** What a continuation decided under the lock. */
export type Prepared =
  /** Nothing to do (exit 0): said in `message`; the record is left as it is. */
  | { readonly action: 'none'; readonly message: string }
  | {
      readonly action: 'go';
      readonly phases: Phases;
      readonly scope: RuntimeScope;
      /** The record written when the session opens (resume: status running again, with this process). */
      readonly meta?: RunMeta;
      /** What is about to happen, for the operator, before the question. */
      readonly announce: string;
      /** The yes/no question (`--yes` answers it), and what a refusal without a terminal names. */
      readonly question: string;
      readonly what: string;
      /** Commands an earlier controller left running: stopped before anything acts. */
      readonly leftovers: readonly RecordedCommand[];
    };

export interface Continuation {
  /** 'resume' | 'rollback': the lock holder's mode. */
  readonly mode: RunMode;
  /** Apply the rules to the recorded run (throw a DrctlError to refuse). */
  prepare(run: LoadedRun): Promise<Prepared>;
}

/** The command's side of a session: who hears the events, and how to talk to the operator. */
export interface SessionView {
  readonly listeners: readonly EventListener[];
  /** A line for the operator that is not an event (what a resume will do, leftovers stopped, a warning). */
  note(text: string): void;
  /** Asked before a resume or rollback acts; false = nothing is done. Throws when it may not ask (no terminal, no --yes). */
  confirm(what: string, question: string): Promise<boolean>;
  /** A gate step asks (run, drill, resume); rehearsals and rollbacks never ask. */
  approve(stepId: string, question: string): Promise<boolean>;
}

export type SessionOutcome =
  | {
      readonly kind: 'finished';
      readonly runId: string;
      /** The session's own mode (resume, rollback…), not the run's. */
      readonly mode: RunMode;
      readonly status: RunStatus;
      readonly verdict: RunStatus;
      readonly meta: RunMeta;
      readonly budgetExceeded: boolean;
      /** The session's own duration (a rollback's, not the run's). */
      readonly durationMs: number;
    }
  | { readonly kind: 'nothing'; readonly runId: string; readonly mode: RunMode; readonly meta: RunMeta; readonly message: string }
  | { readonly kind: 'declined'; readonly runId: string };
