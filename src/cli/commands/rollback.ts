import type { Command } from 'commander';
import { rollbackContinuation } from '../../engine/rollback-run.js';
import { openStateStore } from '../../state/open-store.js';
import { DrctlError, ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { leaseOf } from '../options.js';
import { runCommandSession } from '../run-session.js';
import { loadSavedRunbook } from './saved-runbook.js';

export interface RollbackFlags {
  readonly force?: boolean;
  readonly yes?: boolean;
  readonly plugin?: string[];
  readonly lease?: string;
}

/**
 * drctl rollback RUN_ID: the session takes the run's lock, reads its journal, restores a fault a dead
 * rehearsal left, and undoes — a run's changed steps to their before-states, a drill's or rehearsal's
 * every step to its baseline (engine/rollback-run.ts) — with the runbook copy saved with the run.
 */
export async function rollbackCommand(io: CliIO, runId: string, flags: RollbackFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const leaseMs = leaseOf(flags.lease, state);
  const store = await openStateStore(state);
  try {
    return await runCommandSession(io, {
      store,
      leaseMs,
      yes: flags.yes === true,
      target: {
        kind: 'recorded',
        runId,
        force: flags.force === true,
        continuation: rollbackContinuation,
        load: async (header, from) => {
          const text = await from.readRunbookCopy(runId);
          if (text === undefined)
            throw new DrctlError('runbook-missing', ExitCode.invalidInput, `run ${runId} has no saved runbook copy in ${from.label}`);
          return loadSavedRunbook(header.runbook.file, text, flags.plugin ?? []);
        },
      },
    });
  } finally {
    await store.close();
  }
}
