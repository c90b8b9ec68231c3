import type { EngineEvent, RehearsalOutcome, RtoBreakdown, RunMode, RunStatus, RunSummary } from './events.js';

/** Version 2 added `fence` (the writer's fencing token) to every record. */
export const JOURNAL_SCHEMA_VERSION = 2;

/** One journal line: an engine event plus its sequence number and the writer's fencing token. */
export type JournalRecord = EngineEvent & { readonly schemaVersion: number; readonly seq: number; readonly fence?: number };

/** run.json: the run's header, rewritten atomically at start and end (and by resume / rollback). */
export interface RunMeta {
  readonly schemaVersion: number;
  readonly runId: string;
  readonly mode: RunMode;
  readonly runbook: { readonly name: string; readonly file: string; readonly hash: string };
  /** The runbook's lock scope (absent in records written before leases). */
  readonly lockScope?: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  readonly durationMs: number | undefined;
  readonly host: string;
  readonly user: string;
  readonly pid: number;
  readonly summary: RunSummary | undefined;
  /** For drill: the outcome of the switch half and the fail-back half. */
  readonly halves?: { readonly switch: RunStatus; readonly failBack: RunStatus | 'skipped' } | undefined;
  /** Processes that resumed the run, oldest first. */
  readonly resumes?: readonly {
    readonly at: string;
    readonly host: string;
    readonly user: string;
    readonly pid: number;
    readonly forced: boolean;
  }[];
  /** For rehearse: the outcome and the RTO (history's trend reads these). */
  readonly rehearsal?:
    | {
        readonly outcome: RehearsalOutcome;
        readonly rtoMs: number | undefined;
        readonly budgetMs: number | undefined;
        readonly reasons: readonly string[];
        /** detection, switch (per step) and convergence; absent when the RTO was not measured. */
        readonly rto?: RtoBreakdown | undefined;
      }
    | undefined;
  /** Set by `drctl rollback RUN_ID`: when, whether everything is back, and what was and was not restored. */
  readonly rolledBack?: RolledBack | undefined;
}

/** What `drctl rollback` did (absent fields: a record written before they existed). */
export interface RolledBack {
  readonly at: string;
  /** Every step is back (and the fault, if one was left, restored). */
  readonly ok: boolean;
  /** What the steps were returned to: the run's baseline (drill, rehearsal) or each step's own before-state. */
  readonly to?: 'baseline' | 'before-states';
  /** Steps an undo changed back. */
  readonly restored?: readonly string[];
  /** Steps already as they were: nothing undone. */
  readonly alreadyAsBefore?: readonly string[];
  /** Steps whose undo failed, with why. */
  readonly failed?: Readonly<Record<string, string>>;
  /** Steps not reached (an interrupt, or the lock lost), left for the next `drctl rollback`. */
  readonly notReached?: readonly string[];
  /** Steps with no state to return to (their observe failed before the run changed anything). */
  readonly unknown?: readonly string[];
  /** The fault a dead rehearsal left in place: restored or not. */
  readonly fault?: { readonly describe: string; readonly restored: boolean; readonly error?: string };
  /** The run's own status and error before any rollback (a later attempt's outcome is computed from them). */
  readonly runStatus?: RunStatus;
  readonly runError?: string;
}

/**
 * A run a later `drctl resume` can continue: interrupted, a run or a drill, not rolled back, and not a drill
 * whose fail-back already completed (the estate is back as it was: there is nothing left to continue).
 */
export const isResumableRun = (m: RunMeta): boolean =>
  m.status === 'interrupted' &&
  (m.mode === 'run' || m.mode === 'drill') &&
  !m.rolledBack &&
  !(m.mode === 'drill' && m.halves?.failBack === 'succeeded');

/**
 * The run that took over the lock of a run still recorded as running: a later run of the same lock scope
 * (not a skipped rehearsal, which takes no lock) could only start once this one's lock was free or taken
 * over — this one was fenced out (frozen past its lease, say) and can no longer record its end. undefined
 * when the run is not running or no later run of its scope exists.
 */
export function takenOverBy(run: RunMeta, runs: readonly RunMeta[]): string | undefined {
  if (run.status !== 'running') return undefined;
  const scope = run.lockScope ?? run.runbook.name;
  const later = runs.filter(
    (r) => r.runId !== run.runId && r.status !== 'skipped' && (r.lockScope ?? r.runbook.name) === scope && r.startedAt > run.startedAt,
  );
  return later.sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0]?.runId;
}
