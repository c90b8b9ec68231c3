import type { EngineEvent, EventInput, EventListener } from '../model/events.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { createRunLogger } from '../infra/pino-logger.js';
import { journalFailure } from './errors.js';
import { keepLease } from './lease-keeper.js';
import { JOURNAL_SCHEMA_VERSION, type RunMeta } from '../model/records.js';
import type { Fence, HolderInput, JournalWriter, LockLease, StateStore } from './store.js';
import { scrubValue } from '../util/secret.js';

/** A lock held (and its lease renewed) before the run's journal is read or written (resume, rollback). */
export interface HeldLock {
  readonly lease: LockLease;
  /** Aborts when the lease is lost (fenced out). */
  readonly lost: AbortSignal;
  /** Stop renewing and release the lock if still ours (idempotent). */
  release(): Promise<void>;
}

/** Take the lock and keep renewing its lease every lease/3 until release(). */
export async function holdLock(store: StateStore, scope: string, holder: HolderInput, leaseMs: number): Promise<HeldLock> {
  const lease = await store.acquireLock(scope, holder, leaseMs);
  const lost = new AbortController();
  const keeper = keepLease(lease, leaseMs, (e) => lost.abort(e));
  const onLapse = (): void => void (lost.signal.aborted || lost.abort(lease.lapsed?.reason));
  if (lease.lapsed?.aborted) onLapse();
  else lease.lapsed?.addEventListener('abort', onLapse, { once: true });
  return {
    lease,
    lost: lost.signal,
    release: async () => {
      keeper.stop();
      await lease.release().catch(() => undefined);
    },
  };
}

export interface RunHandleOptions {
  readonly store: StateStore;
  readonly runId: string;
  readonly scope: string;
  /**
   * The run's lock, held by the session (engine/session.ts, the one place that takes it). Undefined: a
   * new run that changes nothing and that nobody else writes (a skipped rehearsal): its records go unfenced.
   */
  readonly held: HeldLock | undefined;
  readonly clock: Clock;
  /** Redacts secret values from every record before anyone sees it. */
  readonly redact: (text: string) => string;
  readonly listeners: readonly EventListener[];
  /** A new run: its record and runbook copy. Else the run exists and `meta` (if given) replaces its record. */
  readonly create?: { readonly meta: RunMeta; readonly runbookText: string };
  readonly meta?: RunMeta;
  /** Last journal seq of an existing run (resume, rollback). */
  readonly startSeq?: number;
  /** Runs under the lock before anything is written (a saved plan's staleness check). */
  readonly beforeStart?: () => Promise<void>;
}

/** A process's hold on one run: the lease (renewed), the fenced journal, and emit(). */
export interface RunHandle {
  readonly runId: string;
  /** Undefined for a run written without a lock (a skipped rehearsal). */
  readonly lease: LockLease | undefined;
  readonly log: Logger;
  /** Journal (durably, fenced) then listeners; after the first failed write every emit throws it. */
  emit(e: EventInput): Promise<void>;
  /** The first journal failure (store unreachable, fenced out), mapped to a clear error. */
  failure(): Error | undefined;
  /** Aborts when the lease is lost or the journal fails: start no new step. */
  readonly lost: AbortSignal;
  writeMeta(meta: RunMeta): Promise<void>;
  close(): Promise<void>;
}

export async function openRunHandle(o: RunHandleOptions): Promise<RunHandle> {
  const { held } = o;
  const lease = held?.lease;
  const fence: Fence | undefined = lease && { scope: lease.scope, token: lease.token, runId: lease.runId };
  const lost = new AbortController();
  const heldLost = held?.lost ?? new AbortController().signal;
  const onLost = (): void => void (lost.signal.aborted || lost.abort(heldLost.reason));
  if (heldLost.aborted) onLost();
  else heldLost.addEventListener('abort', onLost, { once: true });
  let journal: JournalWriter | undefined;
  let failure: Error | undefined;
  const fail = (e: unknown): Error => {
    failure ??= journalFailure(e, o.store.label, o.runId);
    if (!lost.signal.aborted) lost.abort(failure);
    return failure;
  };
  try {
    await o.beforeStart?.();
    if (o.create) await o.store.createRun(o.create.meta, o.create.runbookText);
    else if (o.meta) await o.store.writeRunMeta(o.meta, fence);
    journal = fence ? await o.store.openJournal(o.runId, fence) : unfencedJournal(o.store, o.runId, o.scope);
  } catch (e) {
    await held?.release();
    throw e;
  }
  const runLog = createRunLogger(o.store.openRunLog(o.runId), { runId: o.runId });
  const log: Logger = runLog;
  log.info({ store: o.store.label, scope: o.scope, token: lease?.token }, 'run log opened');
  let seq = o.startSeq ?? 0;
  const writer = journal;
  const scrub = <T>(value: T): T => scrubValue(value, o.redact);
  return {
    runId: o.runId,
    lease,
    log,
    lost: lost.signal,
    // the lock was lost (fenced out) or its lease could no longer be proven (etcd unreachable): the run stops as after a failed write
    failure: () => failure ?? (heldLost.aborted ? fail(heldLost.reason) : undefined),
    async emit(input) {
      if (failure) throw failure;
      const event = scrub({ ...input, runId: o.runId, at: new Date(o.clock.now()).toISOString() } as EngineEvent);
      const progress = PROGRESS_EVENTS.has(event.type);
      const written = writer.append(
        { ...event, schemaVersion: JOURNAL_SCHEMA_VERSION, seq: ++seq, ...(lease ? { fence: lease.token } : {}) },
        { lazy: progress },
      );
      if (progress) {
        // written in order with the next durable record (group commit); a failed write surfaces at the next emit
        written.catch((e: unknown) => void fail(e));
      } else {
        try {
          await written;
        } catch (e) {
          throw fail(e);
        }
      }
      for (const l of o.listeners) l(event);
    },
    writeMeta: async (meta) => {
      if (failure) throw failure;
      await o.store.writeRunMeta(scrub(meta), fence).catch((e: unknown) => Promise.reject(fail(e)));
    },
    async close() {
      await writer.close().catch(() => undefined);
      await runLog.flush().catch(() => undefined);
      await held?.release();
    },
  };
}

/** A run nobody else writes (no lock): each record is appended unfenced, with the next seq the store gives it. */
function unfencedJournal(store: StateStore, runId: string, scope: string): JournalWriter {
  // appended in order; close() waits for the last one (a progress record is not awaited by emit)
  let last: Promise<void> = Promise.resolve();
  return {
    append: (record) => {
      const written = last.then(async () => void (await store.appendUnfenced(runId, scope, (seq) => ({ ...record, seq }))));
      last = written.catch(() => undefined);
      return written;
    },
    close: () => last,
  };
}

/** The lock.acquired record: scope, token, lease, and the stale holder taken over (if any). */
export function lockAcquiredEvent(lease: LockLease): EventInput {
  const took = lease.tookOver;
  return {
    type: 'lock.acquired',
    scope: lease.scope,
    token: lease.token,
    expiresAt: lease.holder.expiresAt,
    tookOver: took && {
      runId: took.holder.runId,
      holder: `${took.holder.user}@${took.holder.host} pid ${took.holder.pid}`,
      token: took.holder.token,
      why: took.why === 'dead' ? 'its process is gone' : `its lease expired at ${took.holder.expiresAt}`,
    },
  };
}

/**
 * Progress events: emit() does not wait for them; the journal writes them in order with the next
 * record that is waited for (or soon after). Nothing resume, rollback or history relies on is among
 * them: intents, outcomes (applied, skipped, failed, cancelled, recovered, rolled-back), rollback and
 * run records are still durable before emit() resolves.
 */
const PROGRESS_EVENTS: ReadonlySet<EngineEvent['type']> = new Set([
  'step.queued',
  'step.started',
  'step.phase',
  'step.progress',
  'step.timing',
  'step.retrying',
  'step.rolling-back',
]);
