import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { appendRecordAfterTail, FileJournal, readJournal } from './journal-file.js';
import { acquireFileLock, fencedWrite, forceRemoveFileLock, listFileLocks, lockFileOf, readLock } from './lock-file.js';
import { withFsMutex } from '../infra/fs-mutex.js';
import { fileLogSink } from '../infra/pino-logger.js';
import { DrctlError, ExitCode } from '../util/errors.js';
import type { JournalRecord, RunMeta } from '../model/records.js';
import { readControlFile, writeControlFile } from './control-files.js';
import { listInspectionFiles, readInspectionFile, saveInspectionFiles } from './inspection-files.js';
import { createRunDir, listRuns, runDirOf, writeRunMeta } from './run-store.js';
import type { AuditEntry, Fence, StateStore } from './store.js';

/**
 * The embedded store, a folder (default .drctl): runs/<id>/{run.json, journal.ndjson, log.ndjson,
 * runbook.yaml}, locks/<scope>.{lock,fence}, audit.ndjson, inspections/<id>{.json,.meta.json}, controls/<name>.json
 * (the safety lever, pauses). Journal appends are fsync'd and fenced.
 */
export function createFileStore(stateDir: string): StateStore {
  const journalOf = (runId: string): string => path.join(runDirOf(stateDir, runId), 'journal.ndjson');
  const logOf = (runId: string): string => path.join(runDirOf(stateDir, runId), 'log.ndjson');
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
    readRunMeta: (runId) => readRunRecord(stateDir, runId),
    readRunbookCopy: (runId) => readFile(path.join(runDirOf(stateDir, runId), 'runbook.yaml'), 'utf8').catch(() => undefined),
    listRuns: () => listRuns(stateDir),
    openJournal: (runId, fence) => FileJournal.open(journalOf(runId), (write) => fencedWrite(stateDir, fence, write)),
    readJournal: (runId) =>
      readJournal(journalOf(runId)).catch((e: unknown) => {
        throw new DrctlError('journal-unreadable', ExitCode.refused, `cannot read the journal of run ${runId}: ${(e as Error).message}`, {
          cause: e,
          hint: 'check the file and its permissions; nothing was changed',
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
    openRunLog: (runId) => fileLogSink(logOf(runId)),
    readRunLog: async (runId) => (await readFile(logOf(runId), 'utf8').catch(() => '')).split('\n').filter(Boolean),
    saveInspection: (record) => saveInspectionFiles(stateDir, record),
    listInspections: () => listInspectionFiles(stateDir),
    readInspection: (id) => readInspectionFile(stateDir, id),
    readControl: (name) => readControlFile(stateDir, name),
    writeControl: (name, value) => writeControlFile(stateDir, name, value),
    close: async () => undefined,
  };
}

/**
 * A run's record: undefined when the run has none; an error naming the file when it is there but cannot
 * be read (a damaged run.json must not look like "no such run").
 */
async function readRunRecord(stateDir: string, runId: string): Promise<RunMeta | undefined> {
  const file = path.join(runDirOf(stateDir, runId), 'run.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw unreadableRecord(runId, file, (e as Error).message);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw unreadableRecord(runId, file, `not valid JSON: ${(e as Error).message}`);
  }
  if (meta === null || typeof meta !== 'object' || typeof (meta as { runId?: unknown }).runId !== 'string')
    throw unreadableRecord(runId, file, 'not a run record');
  return meta as RunMeta;
}

const unreadableRecord = (runId: string, file: string, why: string): DrctlError =>
  new DrctlError('run-record-unreadable', ExitCode.failed, `the record of run ${runId} is unreadable: ${file}: ${why}`, {
    hint: 'its journal (journal.ndjson beside it) still holds what happened',
  });
