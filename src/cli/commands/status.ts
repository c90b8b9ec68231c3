import type { Command } from 'commander';
import { buildReport } from '../../report/build-report.js';
import { openStateStore } from '../../state/open-store.js';
import { unrestoredFault } from '../../engine/fault-restore.js';
import { isResumableRun, takenOverBy, type JournalRecord, type RolledBack, type RunMeta } from '../../model/records.js';
import { livenessOf, type LockHolder } from '../../state/store.js';
import { ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';

/**
 * drctl status: runs still marked running (live, or left by a dead controller: resumable), runs that were
 * interrupted and can be resumed or rolled back, their steps, and every lock: holder, lease expiry,
 * fencing token; stale ones (lease expired, or holder process gone) flagged.
 */
export async function statusCommand(io: CliIO, _flags: unknown, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const store = await openStateStore(state);
  try {
    const lockList = await store.listLocks();
    const locks = lockList.map(({ scope, holder }) => {
      const liveness = livenessOf(holder);
      return {
        scope,
        holder,
        stale: liveness !== 'live',
        why: liveness === 'dead' ? 'holder process is gone' : liveness === 'expired' ? 'lease expired' : undefined,
      };
    });
    const all = await store.listRuns();
    const running = all.filter((r) => r.status === 'running');
    // a step of a run that no controller runs any more, started with no outcome journaled, was cut off mid-step
    const stepsOf = (meta: RunMeta, records: readonly JournalRecord[], live = true) =>
      buildReport(meta, records).steps.map((s) => ({ id: s.id, status: !live && s.status === 'running' ? 'cut-off' : s.status }));
    const resumable = await Promise.all(
      latestPerScope(all)
        .filter(isResumableRun)
        .map(async (meta) => ({
          runId: meta.runId,
          runbook: meta.runbook.name,
          mode: meta.mode,
          startedAt: meta.startedAt,
          endedAt: meta.endedAt ?? null,
          holder: `${meta.user}@${meta.host} pid ${meta.pid}`,
          steps: stepsOf(meta, (await store.readJournal(meta.runId)).records, false),
        })),
    );
    const active = await Promise.all(
      running.map(async (meta) => {
        const lock = locks.find((l) => l.holder.runId === meta.runId);
        const orphaned = !lock || lock.stale;
        const takenOver = lock ? undefined : takenOverBy(meta, all);
        const { records } = await store.readJournal(meta.runId);
        // a rehearsal no controller finishes any more is only undone (never resumed): with the fault it left in place, if any
        const left = meta.mode === 'rehearse' ? unrestoredFault(records) : undefined;
        return {
          runId: meta.runId,
          runbook: meta.runbook.name,
          mode: meta.mode,
          startedAt: meta.startedAt,
          holder: lock ? holderOf(lock.holder) : `${meta.user}@${meta.host} pid ${meta.pid}`,
          lock: lock ? { scope: lock.scope, expiresAt: lock.holder.expiresAt, token: lock.holder.token, stale: lock.stale } : null,
          orphaned,
          needsRollback: orphaned && meta.mode === 'rehearse' && !takenOver,
          ...(takenOver ? { takenOverBy: takenOver } : {}),
          faultLeft: left ? left.describe : null,
          steps: stepsOf(meta, records, !orphaned),
        };
      }),
    );
    // a run whose last rollback did not get everything back stays on the list until a later rollback does
    const unfinished = await Promise.all(
      all
        .filter((m) => m.status !== 'running' && m.rolledBack && !m.rolledBack.ok)
        .map(async (meta) => {
          const rb = meta.rolledBack as RolledBack;
          const { records } = await store.readJournal(meta.runId);
          return {
            runId: meta.runId,
            runbook: meta.runbook.name,
            mode: meta.mode,
            startedAt: meta.startedAt,
            holder: `${meta.user}@${meta.host} pid ${meta.pid}`,
            lock: null,
            orphaned: true,
            needsRollback: true,
            faultLeft: rb.fault && !rb.fault.restored ? rb.fault.describe : null,
            rollbackIncomplete: { at: rb.at, failed: rb.failed ?? {}, notReached: rb.notReached ?? [], unknown: rb.unknown ?? [] },
            steps: stepsOf(meta, records, false),
          };
        }),
    );
    if (io.json) {
      io.out(envelope('status', true, { runs: [...active, ...unfinished], resumable, locks }));
      return ExitCode.ok;
    }
    if (active.length === 0 && unfinished.length === 0) io.out('no run in progress');
    for (const r of unfinished) {
      io.out(
        `${r.runId} (${r.mode} of ${r.runbook}) by ${r.holder} since ${r.startedAt} — ROLLBACK INCOMPLETE at ${r.rollbackIncomplete.at}, NEEDS ROLLBACK: \`drctl rollback ${r.runId}\` retries what is left`,
      );
      if (r.faultLeft) io.out(`  FAULT LEFT IN PLACE: ${r.faultLeft}`);
      for (const [id, why] of Object.entries(r.rollbackIncomplete.failed)) io.out(`  NOT rolled back: ${id}: ${why}`);
      if (r.rollbackIncomplete.notReached.length > 0) io.out(`  not reached: ${r.rollbackIncomplete.notReached.join(', ')}`);
      if (r.rollbackIncomplete.unknown.length > 0) io.out(`  unknown: ${r.rollbackIncomplete.unknown.join(', ')}`);
    }
    for (const r of resumable) {
      io.out(`${r.runId} (${r.mode} of ${r.runbook}) by ${r.holder} INTERRUPTED at ${r.endedAt ?? '?'}: ${nextStep(r.mode, r.runId)}`);
      for (const s of r.steps) io.out(`  ${s.status.padEnd(12)} ${s.id}`);
    }
    for (const r of active) {
      const flag = !r.orphaned
        ? ''
        : 'takenOverBy' in r && r.takenOverBy
          ? ` — FENCED OUT: its lock was taken over by run ${r.takenOverBy} (it can no longer act or record its end; see that run)`
          : r.needsRollback
            ? ` — NOT LIVE, NEEDS ROLLBACK (its controller stopped mid-rehearsal): \`drctl rollback ${r.runId}\` restores the fault and returns every step to the baseline observed before it`
            : ` — NOT LIVE (no controller holds its lock): ${nextStep(r.mode, r.runId)}`;
      io.out(`${r.runId} (${r.mode} of ${r.runbook}) by ${r.holder} since ${r.startedAt}${flag}`);
      if (r.faultLeft) io.out(`  FAULT LEFT IN PLACE: ${r.faultLeft}`);
      for (const s of r.steps) io.out(`  ${s.status.padEnd(12)} ${s.id}`);
    }
    for (const l of locks) {
      io.out(
        `lock ${l.scope}: held by run ${l.holder.runId} (${l.holder.mode}) ${holderOf(l.holder)} since ${l.holder.since}, lease until ${l.holder.expiresAt}, token ${l.holder.token}${l.stale ? ` — STALE (${l.why}): the next run may take it over` : ''}`,
      );
    }
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

const holderOf = (h: LockHolder): string => `${h.user}@${h.host} pid ${h.pid}`;

/** The newest run of each lock scope (runs come newest first): an older interrupted run was superseded. */
function latestPerScope(runs: readonly RunMeta[]): RunMeta[] {
  const seen = new Set<string>();
  return runs.filter((r) => {
    const scope = r.lockScope ?? r.runbook.name;
    if (seen.has(scope)) return false;
    seen.add(scope);
    return true;
  });
}

/** What to do with a run no controller finishes: a rehearsal is only undone (its RTO would mean nothing resumed). */
const nextStep = (mode: string, runId: string): string =>
  mode === 'rehearse'
    ? `undo it with \`drctl rollback ${runId}\` (a rehearsal is not resumed)`
    : `resume it with \`drctl resume ${runId}\` or undo it with \`drctl rollback ${runId}\``;
