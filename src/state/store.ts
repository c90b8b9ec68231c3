import type { LogSink } from '../infra/pino-logger.js';
import { ownerLiveness } from '../infra/owner.js';
import type { InspectionMeta, InspectionRecord } from '../model/inspection.js';
import type { JournalRecord, RunMeta } from '../model/records.js';

/** Who holds a lock scope, until when, and with which fencing token. */
export interface LockHolder {
  readonly runId: string;
  readonly mode: string;
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** Machine, boot and PID namespace of the holder (infra/process-identity.ts): only a process with the same one may judge its pid gone. */
  readonly hostId?: string | undefined;
  readonly since: string;
  /** ISO: the lease ends here unless renewed. */
  readonly expiresAt: string;
  /** Monotonic per scope: every journal write carries it, the store rejects stale ones. */
  readonly token: number;
}

export type HolderInput = Omit<LockHolder, 'expiresAt' | 'token' | 'hostId'>;

/** The writer's proof of ownership: the store appends only while the scope's lock has this token and run. */
export interface Fence {
  readonly scope: string;
  readonly token: number;
  /** The holder's run id: checked with the token. */
  readonly runId: string;
}

export interface LockLease extends Fence {
  readonly holder: LockHolder;
  /** The stale holder this lease replaced (its lease expired, or its process is gone). */
  readonly tookOver: { readonly holder: LockHolder; readonly why: 'expired' | 'dead' } | undefined;
  /** Extend the lease; throws FencedOut when the lock is no longer ours. */
  renew(): Promise<LockHolder>;
  /** Remove the lock if it is still ours (never someone else's). */
  release(): Promise<void>;
  /**
   * Stores whose lock lives on a server-side lease (etcd): aborted, with the error as its reason, as soon
   * as this process can no longer prove the lease alive — before the store could give the lock to anyone else.
   */
  readonly lapsed?: AbortSignal | undefined;
}

export interface JournalWriter {
  /**
   * Durable (fsync'd / acknowledged) append, only while the fence holds; else FencedOut. `lazy`: the
   * store may hold the record back and write it with the next one (resolving once it is written) —
   * for progress records, which nothing relies on after a crash.
   */
  append(record: JournalRecord, options?: { readonly lazy?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface JournalRead {
  readonly records: readonly JournalRecord[];
  /** Set when lines could not be parsed: which line numbers, and whether only the last one (a torn write). */
  readonly corrupt: { readonly lines: readonly number[]; readonly tornTail: boolean } | undefined;
  /** There is no journal at all (never created, or lost): never to be taken for an empty one. */
  readonly missing: boolean;
}

export interface AuditEntry {
  readonly at: string;
  readonly action: 'unlock.forced';
  readonly scope: string;
  readonly by: string;
  readonly removed: LockHolder | undefined;
}

/**
 * Where runs, journals, history and locks live: the embedded folder (default), Redis or etcd. Every method
 * of a remote store fails with StoreUnreachable when the store cannot be reached.
 */
export interface StateStore {
  /** For messages: the folder, redis://host:port, or etcd://members/prefix. */
  readonly label: string;
  acquireLock(scope: string, holder: HolderInput, leaseMs: number): Promise<LockLease>;
  readLock(scope: string): Promise<LockHolder | undefined>;
  listLocks(): Promise<{ readonly scope: string; readonly holder: LockHolder }[]>;
  /** Remove the lock whatever its holder (drctl unlock --force); returns what was removed. */
  forceUnlock(scope: string): Promise<LockHolder | undefined>;
  /** New run: saves the runbook copy and the first run record. */
  createRun(meta: RunMeta, runbookText: string): Promise<void>;
  /** Rewrite the run record; with a fence, only while the fence holds. */
  writeRunMeta(meta: RunMeta, fence?: Fence): Promise<void>;
  readRunMeta(runId: string): Promise<RunMeta | undefined>;
  readRunbookCopy(runId: string): Promise<string | undefined>;
  /** All runs, newest first. */
  listRuns(): Promise<RunMeta[]>;
  openJournal(runId: string, fence: Fence): Promise<JournalWriter>;
  readJournal(runId: string): Promise<JournalRead>;
  /**
   * An admin record (unlock --force) written without a fence but serialized with the scope's fenced
   * writes: a torn tail is repaired first, and the record gets the next seq.
   */
  appendUnfenced(
    runId: string,
    scope: string,
    make: (seq: number) => JournalRecord,
  ): Promise<{ readonly seq: number; readonly torn: string | undefined }>;
  audit(entry: AuditEntry): Promise<void>;
  /**
   * Where the run's operational log goes (pino lines: what kinds and the engine say that is not an
   * event; the journal is the record of events): RUN/log.ndjson in a folder, a capped list in Redis.
   */
  openRunLog(runId: string): LogSink;
  /** The run's operational log lines, oldest first ([] when it has none). */
  readRunLog(runId: string): Promise<readonly string[]>;
  /** An inspection (drctl inspect), kept beside the runs: its header for `history`, the whole record for `report`. */
  saveInspection(record: InspectionRecord): Promise<void>;
  /** Every inspection's header, newest first. */
  listInspections(): Promise<InspectionMeta[]>;
  readInspection(id: string): Promise<InspectionRecord | undefined>;
  /**
   * A safety control by name (model/safety.ts: the lever, a runbook's pause): a small JSON record, or
   * undefined when there is none. Read at every rehearsal start and polled while one runs.
   */
  readControl(name: string): Promise<unknown>;
  /** Write a control (undefined removes it); durable before it resolves. */
  writeControl(name: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}

export type LockLiveness = 'live' | 'expired' | 'dead';

/**
 * expired: the lease ran out; dead: the holder is on this host — same hostname and same machine, boot
 * and PID namespace (infra/process-identity.ts) — and its process is gone. A holder elsewhere is only ever expired.
 */
export function livenessOf(h: LockHolder, nowMs = Date.now()): LockLiveness {
  return ownerLiveness({ host: h.host, pid: h.pid, hostId: h.hostId }, h.expiresAt, nowMs).state;
}

export const holderText = (h: LockHolder): string => `run ${h.runId} (${h.mode}) by ${h.user}@${h.host} pid ${h.pid} since ${h.since}`;

export const DEFAULT_LEASE_MS = 15_000;
