import type { Command } from 'commander';
import os from 'node:os';
import type { LeverRecord } from '../../model/safety.js';
import { openStateStore } from '../../state/open-store.js';
import { engageLever, readLever, releaseLever } from '../../state/safety.js';
import { ExitCode, usageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';

const who = (): string => `${os.userInfo().username}@${os.hostname()}`;

const stateOf = (cmd: Command): string => cmd.optsWithGlobals<{ state: string }>().state;

/** drctl lever engage --reason TEXT: from now on rehearsals and drills refuse to start (exit 5) and a running rehearsal aborts. */
export async function leverEngageCommand(io: CliIO, flags: { reason?: string }, cmd: Command): Promise<ExitCode> {
  const reason = (flags.reason ?? '').trim();
  if (reason === '')
    throw usageError(
      '--reason TEXT: say why the lever is engaged (it is shown to everyone refused)',
      'e.g. drctl lever engage --reason "storage maintenance in sh-b"',
    );
  const store = await openStateStore(stateOf(cmd));
  try {
    const lever = await engageLever(store, reason, who(), new Date());
    if (io.json) io.out(envelope('lever', true, lever));
    else {
      io.out(`safety lever ENGAGED in ${store.label} by ${lever.by}: ${lever.reason}`);
      io.err(
        'rehearse and drill now refuse to start (exit 5, recorded as SKIPPED); a running rehearsal aborts within a second, restores its fault and fails back; run and respond still go ahead. drctl lever release ends it.',
      );
    }
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

/** drctl lever release: rehearsals and drills may start again. */
export async function leverReleaseCommand(io: CliIO, _flags: unknown, cmd: Command): Promise<ExitCode> {
  const store = await openStateStore(stateOf(cmd));
  try {
    const released = await releaseLever(store, who(), new Date());
    if (io.json) io.out(envelope('lever', true, released ?? (await readLever(store)) ?? { engaged: false }));
    else if (released)
      io.out(
        `safety lever released by ${released.released?.by ?? who()} (engaged by ${released.by} since ${released.since}: ${released.reason})`,
      );
    else io.out(`the safety lever is not engaged in ${store.label}: nothing to release`);
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

/** drctl lever status: engaged (by whom, since when, why) or released. Exit 0 either way (--json: `engaged`). */
export async function leverStatusCommand(io: CliIO, _flags: unknown, cmd: Command): Promise<ExitCode> {
  const store = await openStateStore(stateOf(cmd));
  try {
    const lever = await readLever(store);
    if (io.json) io.out(envelope('lever', true, lever ?? { engaged: false }));
    else io.out(statusText(lever, store.label));
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

function statusText(lever: LeverRecord | undefined, label: string): string {
  if (!lever) return `safety lever: released (never engaged in ${label})`;
  if (lever.engaged)
    return `safety lever: ENGAGED by ${lever.by} since ${lever.since}: ${lever.reason}\nrehearse and drill refuse to start (exit 5); run and respond go ahead`;
  return `safety lever: released${lever.released ? ` by ${lever.released.by} at ${lever.released.at}` : ''} (last engaged by ${lever.by} since ${lever.since}: ${lever.reason})`;
}
