import type { SessionOutcome } from '../../engine/phases.js';
import type { EngineEvent } from '../../model/events.js';
import type { CliIO } from '../io.js';
import { drctlVersion } from '../version.js';
import { ndjsonEvent, ndjsonSummary, ndjsonVersionLine } from './json.js';
import { renderSessionSummary } from './run-summary.js';
import { createStyle } from './style.js';

/**
 * What the run-like commands (run, drill, rehearse, resume, rollback) show, behind one interface
 * (wireit's Logger): every engine event, the lines that are not events, and the result at the end. One
 * of three, chosen in one place (chooseRunLogger): NDJSON with --json, the live listr view on a
 * terminal, one plain line per event otherwise (CI, cron, a pipe).
 */
export interface RunLogger {
  /** Every event the session journals, in order. */
  log(event: EngineEvent): void;
  /** A line for the operator that is not an event (what a resume or rollback is about to do, a warning). */
  note(text: string): void;
  /** The session ended (outcome), or failed (undefined): settle the view, then print the result. */
  finish(outcome: SessionOutcome | undefined): Promise<void>;
}

/** The one place a view is chosen. */
export async function chooseRunLogger(io: CliIO): Promise<RunLogger> {
  const logger = io.json ? ndjsonLogger(io) : io.interactive ? await listrLogger(io) : await plainLogger(io);
  return withLockWarnings(logger, io);
}

/** --json: a version line, every event, then the run record as a summary line (an error line comes from main.ts). */
function ndjsonLogger(io: CliIO): RunLogger {
  io.out(ndjsonVersionLine(drctlVersion()));
  return {
    log: (e) => io.out(ndjsonEvent(e)),
    note: (text) => io.err(text),
    finish: async (outcome) => {
      if (outcome && outcome.kind !== 'declined') io.out(ndjsonSummary(outcome.meta));
    },
  };
}

/** The human result on stdout: the run's summary table, or a rollback's own account. */
function humanFinish(io: CliIO, settle: () => Promise<void>): RunLogger['finish'] {
  return async (outcome) => {
    await settle();
    if (outcome?.kind === 'finished') io.out(renderSessionSummary(outcome, createStyle(io.color.out)));
  };
}

async function plainLogger(io: CliIO): Promise<RunLogger> {
  const { createPlainRenderer } = await import('./progress-plain.js');
  return {
    log: createPlainRenderer((line) => io.err(line), createStyle(io.color.err)),
    note: (text) => io.err(text),
    finish: humanFinish(io, async () => undefined),
  };
}

async function listrLogger(io: CliIO): Promise<RunLogger> {
  const { createListrRenderer } = await import('./progress-listr.js');
  const view = createListrRenderer();
  const finish = humanFinish(io, view.done);
  return {
    log: view.listener,
    note: (text) => io.err(text),
    finish: async (outcome) => {
      if (!outcome) view.abandon();
      await finish(outcome);
    },
  };
}

/** A stale lock taken over is said on stderr whatever the view (the event carries it too). */
function withLockWarnings(logger: RunLogger, io: CliIO): RunLogger {
  return {
    ...logger,
    log: (e) => {
      logger.log(e);
      if (e.type === 'lock.acquired' && e.tookOver)
        io.err(`warning: took over the lock "${e.scope}" from run ${e.tookOver.runId} (${e.tookOver.holder}): ${e.tookOver.why}`);
    },
  };
}
