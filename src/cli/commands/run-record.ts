import { replayJournal, type ReplayedRun } from '../../state/journal-replay.js';
import type { JournalRecord, RunMeta } from '../../state/records.js';
import type { StateStore } from '../../state/store.js';
import { DrctlError, ExitCode } from '../../util/errors.js';

export interface RunRecord {
  readonly meta: RunMeta;
  readonly replay: ReplayedRun;
  /** The intact journal records. */
  readonly records: readonly JournalRecord[];
  /** Set when the journal had unreadable lines that were accepted (a torn tail, or --force). */
  readonly journalWarning: string | undefined;
}

/**
 * A run's record and journal, for resume and rollback. A torn last line (a crash mid-append: that record
 * never durably happened) is reported and dropped; unreadable lines elsewhere refuse (exit 4) unless --force.
 */
export async function loadRunRecord(store: StateStore, runId: string, force: boolean, warn: (text: string) => void): Promise<RunRecord> {
  const meta = await store.readRunMeta(runId);
  if (!meta) throw new DrctlError('run-not-found', ExitCode.invalidInput, `no run "${runId}" in ${store.label}`, { hint: 'list runs with `drctl history` (and pass the same --state)' });
  const journal = await store.readJournal(runId);
  let journalWarning: string | undefined;
  if (journal.corrupt) {
    const where = `journal of ${runId}: unreadable line(s) ${journal.corrupt.lines.join(', ')}`;
    if (journal.corrupt.tornTail) {
      journalWarning = `${where} is a torn last write (the process died while appending): that record never durably happened; keeping the ${journal.records.length} intact record(s)`;
    } else if (force) {
      journalWarning = `${where}: proceeding with the ${journal.records.length} readable record(s) because of --force`;
    } else {
      throw new DrctlError('journal-corrupt', ExitCode.refused, `${where} (not only a torn last write): refusing, since what was applied cannot be known for sure; nothing was changed`, {
        hint: 'inspect the journal; --force proceeds with the readable records (every step is observed again before it is applied)',
      });
    }
    warn(`warning: ${journalWarning}`);
  }
  return { meta, replay: replayJournal(journal.records), records: journal.records, journalWarning };
}
