import type { Command } from 'commander';
import os from 'node:os';
import { openStateStore } from '../../state/open-store.js';
import { JOURNAL_SCHEMA_VERSION } from '../../model/records.js';
import { holderText, livenessOf } from '../../state/store.js';
import { DrctlError, ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';

/**
 * drctl unlock SCOPE --force: remove a lock whatever its holder (break-glass). Prints what it removed and
 * records it in the store's audit list and in the affected run's journal. A live holder that writes
 * again is fenced out: its token is no longer the lock's.
 */
export async function unlockCommand(io: CliIO, scope: string, flags: { force?: boolean }, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const store = await openStateStore(state);
  try {
    const current = await store.readLock(scope);
    if (!current) {
      if (io.json) io.out(envelope('unlock', true, { scope, removed: null }));
      else io.err(`no lock "${scope}" in ${store.label}`);
      return ExitCode.ok;
    }
    const liveness = livenessOf(current);
    const described = `${holderText(current)}, lease until ${current.expiresAt}, token ${current.token}${liveness === 'live' ? '' : ` (stale: ${liveness === 'dead' ? 'holder process is gone' : 'lease expired'})`}`;
    if (!flags.force) {
      throw new DrctlError('unlock-needs-force', ExitCode.refused, `the lock "${scope}" is held: ${described}`, {
        hint: 'a stale lock is taken over by the next run anyway; to remove it now, pass --force (recorded in the audit log)',
      });
    }
    const removed = await store.forceUnlock(scope);
    const by = `${os.userInfo().username}@${os.hostname()} pid ${process.pid}`;
    const at = new Date().toISOString();
    await store.audit({ at, action: 'unlock.forced', scope, by, removed });
    if (removed && (await store.readRunMeta(removed.runId))) {
      const runId = removed.runId;
      const { torn } = await store.appendUnfenced(runId, scope, (seq) => ({
        type: 'lock.force-released',
        runId,
        at,
        scope,
        token: removed.token,
        by,
        schemaVersion: JOURNAL_SCHEMA_VERSION,
        seq,
      }));
      if (torn !== undefined)
        io.err(
          `warning: the journal of run ${runId} ended in a torn write (its process died mid-append; that record never durably happened): moved aside to journal.ndjson.torn before recording the unlock`,
        );
    }
    if (io.json) io.out(envelope('unlock', true, { scope, removed: removed ?? null, by }));
    else
      io.out(
        `removed lock "${scope}": ${described}${removed ? `; recorded in the audit log and in the journal of run ${removed.runId}` : ''}`,
      );
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}
