import type { Command } from 'commander';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { buildReport } from '../../report/build-report.js';
import { isStale, readLock, type LockHolder } from '../../state/lock-file.js';
import { listRuns, readRunJournal } from '../../state/run-store.js';
import { ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';

/** drctl status: runs still marked running (live or dead), their steps, and every lock's holder. */
export async function statusCommand(io: CliIO, _flags: unknown, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const running = (await listRuns(state)).filter((r) => r.status === 'running');
  const active = await Promise.all(running.map(async (meta) => {
    const report = buildReport(meta, (await readRunJournal(state, meta.runId)).records);
    return { runId: meta.runId, runbook: meta.runbook.name, mode: meta.mode, startedAt: meta.startedAt, holder: `${meta.user}@${meta.host} pid ${meta.pid}`, steps: report.steps.map((s) => ({ id: s.id, status: s.status })) };
  }));
  const locks = await readLocks(state);
  if (io.json) {
    io.out(envelope('status', true, { runs: active, locks }));
    return ExitCode.ok;
  }
  if (active.length === 0) io.out('no run in progress');
  for (const r of active) {
    io.out(`${r.runId} (${r.mode} of ${r.runbook}) by ${r.holder} since ${r.startedAt}`);
    for (const s of r.steps) io.out(`  ${s.status.padEnd(12)} ${s.id}`);
  }
  for (const l of locks) io.out(`lock ${l.scope}: held by run ${l.holder.runId} (${l.holder.mode}) ${l.holder.user}@${l.holder.host} pid ${l.holder.pid} since ${l.holder.since}${l.stale ? ' — STALE (holder process is gone)' : ''}`);
  return ExitCode.ok;
}

async function readLocks(state: string): Promise<{ scope: string; holder: LockHolder; stale: boolean }[]> {
  let files: string[];
  try {
    files = (await readdir(path.join(state, 'locks'))).filter((f) => f.endsWith('.lock'));
  } catch {
    return [];
  }
  const out: { scope: string; holder: LockHolder; stale: boolean }[] = [];
  for (const f of files) {
    const scope = f.slice(0, -'.lock'.length);
    const holder = await readLock(state, scope);
    if (holder) out.push({ scope, holder, stale: isStale(holder) });
  }
  return out;
}
