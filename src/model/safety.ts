/**
 * The safety controls kept in the state store (drctl lever, a runbook's pause after a failed rehearsal):
 * small records by name, beside runs and locks, so every controller sharing the store sees them.
 */

/** The safety lever: while engaged, rehearsals and drills refuse to start and a running rehearsal aborts. */
export interface LeverRecord {
  readonly engaged: boolean;
  /** Why it was engaged (kept after release: status shows the last one). */
  readonly reason: string;
  /** user@host of who engaged it. */
  readonly by: string;
  /** ISO: when it was engaged. */
  readonly since: string;
  /** Set once released: who and when. */
  readonly released?: { readonly by: string; readonly at: string } | undefined;
}

/** A runbook whose rehearsal FAILED: its schedule is paused until someone acknowledges that run. */
export interface PauseRecord {
  readonly runbook: string;
  /** The failed rehearsal: `drctl rehearse RUNBOOK --ack RUN_ID` names it. */
  readonly runId: string;
  /** ISO: when the rehearsal failed. */
  readonly since: string;
  /** The rehearsal's reasons (the first few). */
  readonly reasons: readonly string[];
}

/** Store names of the controls. */
export const LEVER_CONTROL = 'lever';
export const pauseControl = (runbook: string): string => `pause.${runbook}`;
