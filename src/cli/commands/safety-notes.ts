import os from 'node:os';
import type { RunMeta } from '../../model/records.js';
import { pauseAfterFailure, safetyRefusal } from '../../rehearsal/safety-gate.js';
import { openStateStore } from '../../state/open-store.js';
import { clearPause, engagedLever, leverText, readPause } from '../../state/safety.js';
import type { StateStore } from '../../state/store.js';
import { ExitCode, usageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';

/**
 * drctl rehearse RUNBOOK --ack RUN_ID: acknowledge the failed rehearsal that paused RUNBOOK's schedule;
 * cron's rehearsals start again. Changes nothing else. Another run id than the pausing one: exit 3.
 */
export async function acknowledgePause(io: CliIO, store: StateStore, runbook: string, runId: string, file: string): Promise<ExitCode> {
  const pause = await readPause(store, runbook);
  if (!pause) {
    if (io.json) io.out(envelope('rehearse', true, { acknowledged: null, runbook }));
    else io.out(`${runbook} is not paused: nothing to acknowledge`);
    return ExitCode.ok;
  }
  if (pause.runId !== runId) {
    throw usageError(
      `--ack ${runId}: ${runbook} is paused after failed rehearsal ${pause.runId}, not ${runId}`,
      `drctl rehearse ${file} --ack ${pause.runId} (drctl report ${pause.runId} says why it failed)`,
    );
  }
  await clearPause(store, runbook);
  if (io.json) io.out(envelope('rehearse', true, { acknowledged: pause, runbook }));
  else
    io.out(`acknowledged failed rehearsal ${pause.runId} (${pause.reasons.join('; ') || 'FAILED'}): the schedule of ${runbook} is resumed`);
  return ExitCode.ok;
}

/**
 * After a rehearsal that exited 1: its record (this process's newest rehearsal of the runbook) says
 * FAILED → its runbook's schedule is paused (said on stderr, with how to acknowledge it).
 */
export async function pauseAfterFailedRehearsal(io: CliIO, store: StateStore, runbook: string, file: string): Promise<void> {
  const mine = (r: RunMeta): boolean =>
    r.mode === 'rehearse' && r.runbook.name === runbook && r.pid === process.pid && r.host === os.hostname();
  const meta = (await store.listRuns()).find(mine);
  const pause = meta && (await pauseAfterFailure(store, meta));
  if (pause)
    io.err(
      `the schedule of ${pause.runbook} is paused after this failed rehearsal: cron's rehearsals exit 5 until someone acknowledges it: drctl rehearse ${file} --ack ${pause.runId}`,
    );
}

/**
 * Before a run or drill starts (before its confirmation): a drill the safety lever holds is refused —
 * recorded as SKIPPED with the lever's reason, exit 5; a run (and respond) is not blocked, but says so.
 * undefined: go ahead.
 */
export async function leverGate(
  io: CliIO,
  state: string,
  mode: 'run' | 'drill',
  runbook: string,
  /** Record the drill as SKIPPED with this reason in this store (its own run), and say so: the exit code. */
  skip: (store: StateStore, reason: string) => Promise<ExitCode>,
): Promise<ExitCode | undefined> {
  const store = await openStateStore(state);
  try {
    if (mode === 'run') {
      await warnIfLeverEngaged(io, store, 'this run');
      return undefined;
    }
    const reason = await safetyRefusal(store, runbook, 'drill');
    return reason === undefined ? undefined : await skip(store, reason);
  } finally {
    await store.close();
  }
}

/** run and respond are never blocked by the lever (a real disaster), but they say it is engaged. */
export async function warnIfLeverEngaged(io: CliIO, store: StateStore, what: string): Promise<void> {
  const lever = await engagedLever(store);
  if (lever) io.err(`warning: the ${leverText(lever)}; ${what} goes ahead (the lever holds rehearsals and drills only)`);
}
