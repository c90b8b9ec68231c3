import type { Command } from 'commander';
import { openStateStore } from '../../state/open-store.js';
import { formatDuration } from '../../util/duration.js';
import { ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';

/** drctl history: past runs, newest first, with outcome and duration. */
export async function historyCommand(io: CliIO, flags: { runbook?: string; limit: number }, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const store = await openStateStore(state);
  const all = await store.listRuns().finally(() => store.close());
  const runs = all.filter((r) => !flags.runbook || r.runbook.name === flags.runbook).slice(0, flags.limit);
  if (io.json) {
    io.out(envelope('history', true, { runs: runs.map((r) => ({ runId: r.runId, runbook: r.runbook.name, mode: r.mode, status: r.status, startedAt: r.startedAt, durationMs: r.durationMs ?? null, criticalPath: r.summary?.criticalPath ?? [], budgetExceeded: r.summary?.budgetExceeded ?? [] })) }));
    return ExitCode.ok;
  }
  if (runs.length === 0) {
    io.out(`no runs in ${state}`);
    return ExitCode.ok;
  }
  const w = Math.max(...runs.map((r) => r.runId.length));
  io.out(`${'RUN'.padEnd(w)}  ${'MODE'.padEnd(6)} ${'STATUS'.padEnd(11)} ${'DURATION'.padStart(9)}  STARTED`);
  for (const r of runs) {
    io.out(`${r.runId.padEnd(w)}  ${r.mode.padEnd(6)} ${r.status.padEnd(11)} ${(r.durationMs === undefined ? '-' : formatDuration(r.durationMs)).padStart(9)}  ${r.startedAt}`);
  }
  return ExitCode.ok;
}
