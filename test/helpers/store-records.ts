import os from 'node:os';
import type { JournalRecord, RunMeta } from '../../src/model/records.js';
import type { StateStore } from '../../src/state/store.js';

/**
 * Record a finished run through the store's own API, as the engine does: the run header (with the
 * runbook copy) and, when given, its journal appended under the runbook's lock with the lock's fence.
 */
export async function recordRun(store: StateStore, meta: RunMeta, journal: readonly JournalRecord[] = []): Promise<void> {
  await store.createRun(meta, `# runbook copy of ${meta.runbook.name}\n`);
  if (journal.length === 0) return;
  const lease = await store.acquireLock(
    meta.runbook.name,
    { runId: meta.runId, mode: meta.mode, user: meta.user, host: os.hostname(), pid: process.pid, since: meta.startedAt },
    60_000,
  );
  try {
    const writer = await store.openJournal(meta.runId, lease);
    try {
      for (const r of journal) await writer.append({ ...r, fence: lease.token });
    } finally {
      await writer.close();
    }
    await store.writeRunMeta(meta, lease);
  } finally {
    await lease.release();
  }
}

/** A finished rehearsal's header with a measured RTO (or none: `rtoMs` undefined). */
export function rehearsalRun(o: {
  runbook: string;
  day: string;
  rtoMs: number | undefined;
  outcome?: NonNullable<RunMeta['rehearsal']>['outcome'];
  budgetMs?: number;
}): RunMeta {
  const startedAt = `${o.day}T02:10:00.000Z`;
  const outcome = o.outcome ?? 'SUCCEEDED';
  return {
    schemaVersion: 1,
    runId: `${o.day.replace(/-/g, '')}T021000Z-${o.runbook}-0000`,
    mode: 'rehearse',
    runbook: { name: o.runbook, file: `/srv/runbooks/${o.runbook}.yaml`, hash: 'abcdef0123456789' },
    status: outcome === 'SUCCEEDED' ? 'succeeded' : outcome === 'SKIPPED' ? 'skipped' : 'failed',
    startedAt,
    endedAt: `${o.day}T02:10:09.000Z`,
    durationMs: 9000,
    host: 'ops-1',
    user: 'cron',
    pid: 4242,
    summary: undefined,
    rehearsal: { outcome, rtoMs: o.rtoMs, budgetMs: o.budgetMs, reasons: outcome === 'SKIPPED' ? ['inside blackout window "freeze"'] : [] },
  };
}
