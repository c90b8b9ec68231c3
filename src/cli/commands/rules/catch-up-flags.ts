import type { CatchUpCheck, StageEvent } from '../../../rules/flip-stages.js';
import { formatDuration, parseDuration } from '../../../util/duration.js';
import { usageError } from '../../../util/errors.js';
import { runCommand, tail } from '../../../infra/exec.js';
import type { CliIO } from '../../io.js';
import { parseCommandWords } from './command-words.js';

export interface CatchUpFlags {
  /** The command text; false with --no-catch-up; undefined when neither was given. */
  readonly catchUp?: string | false;
  readonly catchUpTimeout?: string;
}

export const CATCH_UP_PROBE_TIMEOUT_MS = 10_000;

export interface ResolvedCatchUp {
  readonly catchUp: CatchUpCheck | undefined;
  readonly catchUpTimeoutMs?: number;
}

/**
 * --catch-up / --no-catch-up / --catch-up-timeout → the check the staged move polls. When shards would
 * move (`needed`), one of --catch-up and --no-catch-up is required: a flip that does not wait for the
 * data must be asked for explicitly. Every problem is a usage error naming the flag (exit 3).
 */
export function resolveCatchUp(flags: CatchUpFlags, needed: boolean): ResolvedCatchUp {
  const timeoutMs = flags.catchUpTimeout === undefined ? undefined : parseDuration(flags.catchUpTimeout);
  if (flags.catchUpTimeout !== undefined && timeoutMs === undefined)
    throw usageError(`--catch-up-timeout must be a duration like 30s, got "${flags.catchUpTimeout}"`);
  const timeout = timeoutMs === undefined ? {} : { catchUpTimeoutMs: timeoutMs };
  if (flags.catchUp === false) return { catchUp: undefined, ...timeout };
  if (flags.catchUp === undefined) {
    if (!needed) return { catchUp: undefined, ...timeout };
    throw usageError(
      'shards would move, but no catch-up check was given',
      'pass --catch-up CMD (a command that exits 0 once the receiving zones have the data, e.g. a replication-lag check) or --no-catch-up to move without waiting',
    );
  }
  const words = parseCommandWords(flags.catchUp);
  if ('problem' in words)
    throw usageError(
      `--catch-up: ${words.problem}`,
      'give the command as shell-quoted words (--catch-up "sh -c \'test 1 -eq 1\'") or as a JSON array (--catch-up \'["sh","-c","test 1 -eq 1"]\')',
    );
  return { catchUp: commandCheck(words.argv), ...timeout };
}

function commandCheck(argv: readonly string[]): CatchUpCheck {
  const shown = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  return async (signal) => {
    const r = await runCommand(argv, { signal, timeoutMs: CATCH_UP_PROBE_TIMEOUT_MS });
    if (r.spawnError) return { ok: false, detail: r.spawnError };
    if (r.exitCode === 0) return { ok: true };
    const why = r.timedOut ? `timed out after ${formatDuration(CATCH_UP_PROBE_TIMEOUT_MS)}` : `exited ${r.exitCode ?? 'without a code'}`;
    return { ok: false, detail: `${shown} ${why}${r.stdout || r.stderr ? `: ${tail(r.stderr || r.stdout, 1)}` : ''}` };
  };
}

/** The staged move's progress on stderr (nothing under --json). */
export function reportStage(io: CliIO, e: StageEvent): void {
  if (io.json) return;
  if (e.type === 'finished')
    io.err(
      `${e.stage.padEnd(8)} ${formatDuration(e.durationMs).padStart(7)}  ${e.version === undefined ? '' : `v${e.version}  `}${e.detail}`,
    );
  else if (e.type === 'waiting') io.err(`catch-up: ${e.detail} (${formatDuration(e.elapsedMs)})`);
  else if (e.type === 'failed') io.err(`${e.stage} failed: ${e.message}`);
}
