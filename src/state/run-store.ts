import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { FileJournal, readJournal, type JournalRead } from './journal-file.js';
import type { RunMeta } from '../model/records.js';

/** The embedded store: STATE_DIR/runs/<runId>/{run.json, journal.ndjson, log.ndjson, runbook.yaml}. */
export const runDirOf = (stateDir: string, runId: string): string => path.join(stateDir, 'runs', runId);

export async function createRunDir(stateDir: string, runId: string, runbookText: string): Promise<string> {
  const dir = runDirOf(stateDir, runId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(dir, 'runbook.yaml'), runbookText);
  return dir;
}

export const openJournal = (stateDir: string, runId: string): Promise<FileJournal> =>
  FileJournal.open(path.join(runDirOf(stateDir, runId), 'journal.ndjson'));

export const writeRunMeta = (stateDir: string, meta: RunMeta): Promise<void> =>
  writeFileAtomic(path.join(runDirOf(stateDir, meta.runId), 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);

export async function readRunMeta(stateDir: string, runId: string): Promise<RunMeta | undefined> {
  try {
    return JSON.parse(await readFile(path.join(runDirOf(stateDir, runId), 'run.json'), 'utf8')) as RunMeta;
  } catch {
    return undefined;
  }
}

export const readRunJournal = (stateDir: string, runId: string): Promise<JournalRead> =>
  readJournal(path.join(runDirOf(stateDir, runId), 'journal.ndjson'));

/** All runs, newest first (run ids sort by their start time). */
export async function listRuns(stateDir: string): Promise<RunMeta[]> {
  let ids: string[];
  try {
    ids = await readdir(path.join(stateDir, 'runs'));
  } catch (e) {
    // no runs yet; any other error (runs/ is a file, unreadable) must not read as "no runs": the CLI names --state
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const metas = await Promise.all(ids.map((id) => readRunMeta(stateDir, id)));
  return metas
    .filter((m): m is RunMeta => m !== undefined)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
}

/** Sortable, readable run id: 20261121T224501Z-city-cut-a1b2. */
export function newRunId(name: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const rand = Math.random().toString(16).slice(2, 6).padEnd(4, '0');
  return `${stamp}-${name}-${rand}`;
}
