import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileJournal, readJournal } from './journal-file.js';
import { acquireFileLock, fencedWrite, forceRemoveFileLock, listFileLocks, readLock } from './lock-file.js';
import type { JournalRecord, RunMeta } from './records.js';
import { createRunDir, listRuns, readRunMeta, runDirOf, writeRunMeta } from './run-store.js';
import type { AuditEntry, Fence, StateStore } from './store.js';

/**
 * The embedded store, a folder (default .drctl): runs/<id>/{run.json, journal.ndjson, log.ndjson,
 * runbook.yaml}, locks/<scope>.{lock,fence}, audit.ndjson. Journal appends are fsync'd and fenced.
 */
export function createFileStore(stateDir: string): StateStore {
  const journalOf = (runId: string): string => path.join(runDirOf(stateDir, runId), 'journal.ndjson');
  return {
    label: stateDir,
    acquireLock: async (scope, holder, leaseMs) => {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      return acquireFileLock(stateDir, scope, holder, leaseMs);
    },
    readLock: (scope) => readLock(stateDir, scope),
    listLocks: () => listFileLocks(stateDir),
    forceUnlock: (scope) => forceRemoveFileLock(stateDir, scope),
    createRun: async (meta, text) => {
      await createRunDir(stateDir, meta.runId, text);
      await writeRunMeta(stateDir, meta);
    },
    writeRunMeta: (meta: RunMeta, fence?: Fence) =>
      fence ? fencedWrite(stateDir, fence.scope, fence.token, () => writeRunMeta(stateDir, meta)) : writeRunMeta(stateDir, meta),
    readRunMeta: (runId) => readRunMeta(stateDir, runId),
    readRunbookCopy: (runId) => readFile(path.join(runDirOf(stateDir, runId), 'runbook.yaml'), 'utf8').catch(() => undefined),
    listRuns: () => listRuns(stateDir),
    openJournal: (runId, fence) => FileJournal.open(journalOf(runId), (write) => fencedWrite(stateDir, fence.scope, fence.token, write)),
    readJournal: (runId) => readJournal(journalOf(runId)).catch(() => ({ records: [], corrupt: undefined })),
    appendUnfenced: async (runId, record: JournalRecord) => {
      const fh = await open(journalOf(runId), 'a', 0o600);
      try {
        await fh.write(`${JSON.stringify(record)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
    audit: async (entry: AuditEntry) => {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      await appendFile(path.join(stateDir, 'audit.ndjson'), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    },
    logFile: (runId) => path.join(runDirOf(stateDir, runId), 'log.ndjson'),
    close: async () => undefined,
  };
}
