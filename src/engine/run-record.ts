import { replayJournal, type ReplayedRun } from '../state/journal-replay.js';
import { JOURNAL_SCHEMA_VERSION, type JournalRecord, type RunMeta } from '../model/records.js';
import type { StateStore } from '../state/store.js';
import { DrctlError, ExitCode } from '../util/errors.js';

export interface RunRecord {
  readonly meta: RunMeta;
  readonly replay: ReplayedRun;
  /** The intact journal records. */
  readonly records: readonly JournalRecord[];
  /** Set when the journal had unreadable lines that were accepted (a torn tail, or --force). */
  readonly journalWarning: string | undefined;
}

/** The run's record (run.json), or exit 3: read before the lock only for the lock scope and the runbook's path. */
export async function readRunHeader(store: StateStore, runId: string): Promise<RunMeta> {
  const meta = await store.readRunMeta(runId);
  if (!meta)
    throw new DrctlError('run-not-found', ExitCode.invalidInput, `no run "${runId}" in ${store.label}`, {
      hint: 'list runs with `drctl history` (and pass the same --state)',
    });
  return meta;
}

/**
 * A run's record and journal, for resume and rollback (read under the run's lock). A torn last line (a
 * crash mid-append: that record never durably happened) is reported and dropped; unreadable lines
 * elsewhere refuse (exit 4) unless --force. A missing journal, one without its run.started record, or one
 * written by a newer drctl always refuses (exit 4): what the run did cannot be known from it.
 */
export async function loadRunRecord(store: StateStore, runId: string, force: boolean, warn: (text: string) => void): Promise<RunRecord> {
  const meta = await readRunHeader(store, runId);
  const journal = await store.readJournal(runId);
  const refuse = (code: string, what: string, hint: string): DrctlError =>
    new DrctlError(code, ExitCode.refused, `${what}: refusing, since what the run applied cannot be known; nothing was changed`, { hint });
  if (journal.missing) {
    throw refuse(
      'journal-missing',
      `run ${runId} has no journal in ${store.label}`,
      `its record (run.json) is there but its journal is gone: restore it from a backup, or check the run with \`drctl report ${runId}\` and the systems it acts on by hand`,
    );
  }
  const newer = journal.records.find((r) => typeof r.schemaVersion === 'number' && r.schemaVersion > JOURNAL_SCHEMA_VERSION);
  if (newer) {
    throw new DrctlError(
      'journal-newer',
      ExitCode.refused,
      `journal of ${runId}: record ${newer.seq} has schemaVersion ${newer.schemaVersion}, newer than this drctl reads (${JOURNAL_SCHEMA_VERSION}); nothing was changed`,
      {
        hint: 'use the drctl version that wrote the run (or a newer one)',
      },
    );
  }
  let journalWarning: string | undefined;
  if (journal.corrupt) {
    const where = `journal of ${runId}: unreadable line(s) ${journal.corrupt.lines.join(', ')}`;
    if (journal.corrupt.tornTail) {
      journalWarning = `${where} is a torn last write (the process died while appending): that record never durably happened; keeping the ${journal.records.length} intact record(s)`;
    } else if (force) {
      journalWarning = `${where}: proceeding with the ${journal.records.length} readable record(s) because of --force`;
    } else {
      throw new DrctlError(
        'journal-corrupt',
        ExitCode.refused,
        `${where} (not only a torn last write): refusing, since what was applied cannot be known for sure; nothing was changed`,
        {
          hint: 'inspect the journal; --force proceeds with the readable records (every step is observed again before it is applied)',
        },
      );
    }
    warn(`warning: ${journalWarning}`);
  }
  if (!journal.records.some((r) => r.type === 'run.started')) {
    throw refuse(
      'journal-incomplete',
      `journal of ${runId} has no run.started record (${journal.records.length} record(s))`,
      'a run that died before its first record changed nothing: start a new run; otherwise the journal was damaged: restore it from a backup',
    );
  }
  return { meta, replay: replayJournal(journal.records), records: journal.records, journalWarning };
}
