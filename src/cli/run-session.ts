import { runSession, type SessionInput, type SessionOutcome } from '../engine/session.js';
import { isResumableRun } from '../model/records.js';
import { confirmationRequired, ExitCode } from '../util/errors.js';
import { trapInterrupts } from './commands/signals.js';
import { failpointsFromEnv } from './failpoints.js';
import type { CliIO } from './io.js';
import { chooseRunLogger } from './output/run-logger.js';

/** What a run-like command hands over once its flags are parsed: the session's input without the view. */
export type SessionRequest = Pick<SessionInput, 'store' | 'target' | 'leaseMs'> & {
  /** --yes: act without asking (resume, rollback). */
  readonly yes: boolean;
  /** How a gate step asks (run, drill, resume); a rehearsal and a rollback never ask. */
  readonly approve?: (stepId: string, question: string) => Promise<boolean>;
  /** Told the new run's id once it has started (respond: to say how each of its runs is undone). */
  readonly onStarted?: (runId: string) => void;
};

/**
 * The run-like commands' one way to run a session: pick the view (one logger), trap interrupts, run the
 * engine's session, print its result, and map it to the exit code. A command is: parse flags → build the
 * session request → this.
 */
export async function runCommandSession(io: CliIO, request: SessionRequest): Promise<ExitCode> {
  const logger = await chooseRunLogger(io);
  const interrupts = trapInterrupts((signal) => io.err(`${signal}: no new step will start; press Ctrl-C again to cancel running steps`));
  let outcome: SessionOutcome | undefined;
  try {
    outcome = await runSession({
      store: request.store,
      target: request.target,
      leaseMs: request.leaseMs,
      view: {
        listeners: [(e) => logger.log(e), (e) => (e.type === 'run.started' ? request.onStarted?.(e.runId) : undefined)],
        note: (text) => logger.note(text),
        confirm: async (what, question) => {
          if (request.yes) return true;
          if (!io.interactive) throw confirmationRequired(what);
          return io.confirm(question);
        },
        approve: request.approve ?? (async () => false),
      },
      stop: interrupts.stop,
      abort: interrupts.abort,
      failpoint: failpointsFromEnv(),
    });
  } finally {
    interrupts.dispose();
    if (outcome?.kind === 'nothing') logger.note(outcome.message);
    await logger.finish(outcome);
  }
  return exitCodeOf(outcome, io);
}

function exitCodeOf(outcome: SessionOutcome, io: CliIO): ExitCode {
  if (outcome.kind === 'nothing') return ExitCode.ok;
  if (outcome.kind === 'declined') {
    io.err('Nothing was changed.');
    return ExitCode.refused;
  }
  const status = outcome.verdict;
  if (status === 'skipped') return ExitCode.skipped;
  if (status === 'interrupted') {
    // a rehearsal restores and fails back by itself; a run or drill is continued where it stopped
    if (isResumableRun(outcome.meta)) io.err(`the run is resumable: drctl resume ${outcome.runId}`);
    else if (outcome.meta.mode === 'drill' && !outcome.meta.rolledBack)
      io.err(`the drill was cut off during its switch and has failed back: the estate is as it was before (start a new drill)`);
    return ExitCode.interrupted;
  }
  return status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
}
