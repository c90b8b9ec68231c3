import os from 'node:os';
import type { EngineEvent, EventInput, EventListener } from '../model/events.js';
import type { SessionOutcome } from '../engine/session.js';
import { startedSteps } from '../engine/run-started.js';
import { buildSummary } from '../engine/summary.js';
import type { Runbook } from '../runbook/types.js';
import { JOURNAL_SCHEMA_VERSION, type JournalRecord, type RunMeta } from '../model/records.js';
import { newRunId } from '../state/run-store.js';
import type { StateStore } from '../state/store.js';
import { realClock, type Clock } from '../util/clock.js';
import { scrubValue } from '../util/secret.js';

export interface SkippedRehearsalOptions {
  readonly runbook: Runbook;
  readonly runbookText: string;
  readonly store: StateStore;
  readonly params: Readonly<Record<string, unknown>>;
  /** Why the schedule policy said no. */
  readonly reason: string;
  readonly redact: (text: string) => string;
  readonly listeners: readonly EventListener[];
  readonly clock?: Clock;
}

/**
 * Record a rehearsal the schedule policy skipped: its own run (header, runbook copy, a short journal)
 * with outcome SKIPPED. It changes nothing, so it takes no lock: another run holding the runbook's
 * lock does not turn cron's "not now" into "refused" — the skip is evaluated and recorded first.
 * Nobody else writes this new run id, so its records need no fence.
 */
export async function recordSkippedRehearsal(o: SkippedRehearsalOptions): Promise<SessionOutcome> {
  const clock = o.clock ?? realClock;
  const started = clock.now();
  const runId = newRunId(o.runbook.name, new Date(started));
  const { runbook } = o;
  const user = os.userInfo().username;
  const host = os.hostname();
  const budgetMs = runbook.budgetMs;
  const stepBudgetsMs = Object.fromEntries(runbook.steps.flatMap((s) => (s.budgetMs === undefined ? [] : [[s.id, s.budgetMs]])));
  const summary = buildSummary(runbook, undefined, [], `skipped: ${o.reason}`);
  const events: EventInput[] = [
    {
      type: 'run.started', mode: 'rehearse', runbook: { name: runbook.name, file: runbook.file, hash: runbook.hash }, params: o.params,
      ...startedSteps(runbook), host, user, pid: process.pid,
    },
    { type: 'rehearsal.skipped', reason: o.reason },
    { type: 'rehearsal.finished', outcome: 'SKIPPED', rto: null, budgetMs, reasons: [o.reason], stepBudgetsMs },
    { type: 'run.finished', status: 'skipped', durationMs: 0, summary },
  ];
  const scrub = <T>(value: T): T => scrubValue(value, o.redact);
  const at = new Date(started).toISOString();
  const meta: RunMeta = scrub({
    schemaVersion: JOURNAL_SCHEMA_VERSION, runId, mode: 'rehearse',
    runbook: { name: runbook.name, file: runbook.file, hash: runbook.hash }, lockScope: runbook.lockScope,
    status: 'skipped', startedAt: at, endedAt: at, durationMs: 0, host, user, pid: process.pid, summary,
    rehearsal: { outcome: 'SKIPPED', rtoMs: undefined, budgetMs, reasons: [o.reason] },
  });
  await o.store.createRun(meta, o.runbookText);
  for (const input of events) {
    const event = scrub({ ...input, runId, at } as EngineEvent);
    await o.store.appendUnfenced(runId, runbook.lockScope, (seq) => ({ ...event, schemaVersion: JOURNAL_SCHEMA_VERSION, seq }) as JournalRecord);
    for (const l of o.listeners) l(event);
  }
  return { runId, status: 'skipped', meta, budgetExceeded: false };
}
