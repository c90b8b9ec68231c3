import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { appendRecordAfterTail, FileJournal, readJournal } from './journal-file.js';
import { acquireFileLock, fencedWrite, forceRemoveFileLock, listFileLocks, lockFileOf, readLock } from './lock-file.js';
import { withFsMutex } from './fs-mutex.js';
import { DrctlError, ExitCode } from '../util/errors.js';
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
      fence ? fencedWrite(stateDir, fence, () => writeRunMeta(stateDir, meta)) : writeRunMeta(stateDir, meta),
    readRunMeta: (runId) => readRunMeta(stateDir, runId),
    readRunbookCopy: (runId) => readFile(path.join(runDirOf(stateDir, runId), 'runbook.yaml'), 'utf8').catch(() => undefined),
    listRuns: () => listRuns(stateDir),
    openJournal: (runId, fence) => FileJournal.open(journalOf(runId), (write) => fencedWrite(stateDir, fence, write)),
    readJournal: (runId) => readJournal(journalOf(runId)).catch((e: unknown) => {
      throw new DrctlError('journal-unreadable', ExitCode.refused, `cannot read the journal of run ${runId}: ${(e as Error).message}`, {
        cause: e, hint: 'check the file and its permissions; nothing was changed',
      });
    }),
    appendUnfenced: async (runId, scope, make: (seq: number) => JournalRecord) => {
      const { seq, torn } = await appendRecordAfterTail(journalOf(runId), (w) => withFsMutex(lockFileOf(stateDir, scope), w), make);
      return { seq, torn };
    },
    audit: async (entry: AuditEntry) => {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      await appendFile(path.join(stateDir, 'audit.ndjson'), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    },
    logFile: (runId) => path.join(runDirOf(stateDir, runId), 'log.ndjson'),
    close: async () => undefined,
  };
}
