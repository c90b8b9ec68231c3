import type pg from 'pg';
import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { untilAborted } from '../../util/abortable.js';
import { closePgClient } from '../../util/pg-close.js';
import { createPgClient, endpointOf } from './connection.js';
import type { PgMember } from './params.js';
import { putClient, takeClient, watchClient } from './reuse.js';

/** "host:port" of a member, for messages (never its password). */
export function memberAddr(m: PgMember): string {
  try {
    const e = endpointOf(m);
    return `${e.host}:${e.port}`;
  } catch {
    return 'postgres (bad url)';
  }
}

/** pg, imported on first use (or by the kind's preload): validate and other kinds never pay for it. */
export const loadPgClient = (): Promise<typeof import('pg')> => import('pg');

/** Reusing the attempt's open connection to the member (reuse.ts). */
export interface PgReuse {
  /** The step attempt's context: its open client to the member is reused, and a successful one kept. */
  readonly reuse?: KindContext;
  /**
   * Connect anew even when the attempt has an open client (kept afterwards): a new connection is answered
   * by the postmaster itself, an open one by its own backend, which answers while the postmaster is frozen
   * (the lab's cut) and cannot relay what the postmaster must do (pg_promote).
   */
  readonly fresh?: boolean;
}

/**
 * A connection with connect/query timeouts; reads no environment. The signal ends it at once (connect,
 * query, or fn's own waits): pg's own end() would hang a connect it interrupts, and a query to a frozen
 * server would hold on until its query timeout. The client is closed in the background (closePgClient:
 * never waits on a frozen server). With `reuse`, the attempt's open client to this member is used first;
 * one that fails without a server answer (terminated, reset, a query read timeout: the server restarted,
 * closed it, or froze) is closed and the call is made once more on a fresh connection, within the same
 * signal, exactly as without reuse (a silent member is then classified as before).
 */
export async function withPg<T>(
  m: PgMember,
  timeoutMs: number,
  signal: AbortSignal,
  fn: (c: pg.Client) => Promise<T>,
  o: PgReuse = {},
): Promise<T> {
  const endpoint = endpointOf(m);
  const key = `${m.name}|${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}|${String(endpoint.ssl)}`;
  const pgm = await loadPgClient();
  const open = o.reuse && !o.fresh && !signal.aborted ? takeClient(o.reuse, key) : undefined;
  if (open) {
    try {
      const v = await untilAborted(fn(open), signal);
      putClient(o.reuse as KindContext, key, open);
      return v;
    } catch (e) {
      closePgClient(open);
      const answered = e instanceof pgm.default.DatabaseError || isStepError(e);
      if (signal.aborted || answered) throw asStepError(m, signal, e);
    }
  }
  const client = createPgClient(pgm.default.Client, endpoint, timeoutMs);
  client.on('error', () => undefined);
  watchClient(client);
  let keep = false;
  try {
    try {
      await untilAborted(client.connect(), signal);
    } catch (e) {
      throw signal.aborted ? e : connectError(m, e);
    }
    const v = await untilAborted(fn(client), signal);
    keep = o.reuse !== undefined && !signal.aborted;
    return v;
  } catch (e) {
    throw asStepError(m, signal, e);
  } finally {
    if (keep) putClient(o.reuse as KindContext, key, client);
    else closePgClient(client);
  }
}

function asStepError(m: PgMember, signal: AbortSignal, e: unknown): unknown {
  if (signal.aborted)
    return stepError(`postgres ${m.name} (${memberAddr(m)}): stopped waiting (the step's time ran out, or it was cancelled)`, {
      cause: e,
    });
  if (typeof e === 'object' && e !== null && 'stepError' in e) return e;
  return stepError(`postgres ${m.name} (${memberAddr(m)}): ${e instanceof Error ? e.message : String(e)}`);
}

function connectError(m: PgMember, e: unknown): Error {
  const err = e as { code?: string; message?: string; noPassword?: boolean };
  const msg = err.message ?? String(e);
  const at = `postgres ${m.name} (${memberAddr(m)})`;
  if (err.noPassword === true) return stepError(`${at}: authentication failed: ${msg}`, { retryable: false });
  if (err.code === '28P01' || err.code === '28000' || /password authentication failed|no pg_hba.conf entry/i.test(msg)) {
    return stepError(`${at}: authentication failed (${msg})`, { retryable: false });
  }
  if (err.code === '3D000') return stepError(`${at}: ${msg}`, { retryable: false });
  return stepError(`${at}: unreachable (${err.code ?? msg})`, { cause: e });
}

/** The member gave no answer at all within the connect timeout (pg's own message for it): silent, not refusing. */
export const isNoAnswer = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { cause?: unknown }).cause instanceof Error &&
  (e as { cause: Error }).cause.message === 'timeout expired';

export interface NodeInfo {
  readonly inRecovery: boolean;
  readonly lsn: string;
  readonly timeline: number;
}

export async function readNode(c: pg.Client): Promise<NodeInfo> {
  const r = await c.query<{ rec: boolean; lsn: string | null; tli: number | null }>(
    `select pg_is_in_recovery() as rec,
            case when pg_is_in_recovery() then pg_last_wal_replay_lsn()::text else pg_current_wal_lsn()::text end as lsn,
            (select timeline_id from pg_control_checkpoint()) as tli`,
  );
  const row = r.rows[0];
  return { inRecovery: row?.rec ?? false, lsn: row?.lsn ?? '0/0', timeline: Number(row?.tli ?? 0) };
}
