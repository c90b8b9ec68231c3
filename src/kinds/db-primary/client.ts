import type pg from 'pg';
import { isSecret } from '../../util/secret.js';
import { stepError } from '../types.js';
import type { PgMember } from './params.js';

export const memberAddr = (m: PgMember): string => (m.url ? redactUrl(m.url) : `${m.host ?? '127.0.0.1'}:${m.port ?? 5432}`);

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}`;
  } catch {
    return 'postgres (bad url)';
  }
}

/** A short-lived connection with connect/query timeouts, closed in finally and on abort. */
/** pg, imported on first use (or by the kind's preload): validate and other kinds never pay for it. */
export const loadPgClient = (): Promise<typeof import('pg')> => import('pg');

export async function withPg<T>(m: PgMember, timeoutMs: number, signal: AbortSignal, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const password = isSecret(m.password) ? m.password.reveal() : m.password;
  const { Client } = (await loadPgClient()).default;
  const client = new Client({
    ...(m.url ? { connectionString: m.url } : { host: m.host ?? '127.0.0.1', port: m.port ?? 5432, user: m.user ?? 'postgres', database: m.database ?? 'postgres' }),
    ...(password === undefined ? {} : { password }),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'drctl',
  });
  client.on('error', () => undefined);
  const onAbort = (): void => void client.end().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await client.connect();
    } catch (e) {
      throw connectError(m, e);
    }
    return await fn(client);
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'stepError' in e) throw e;
    throw stepError(`postgres ${m.name} (${memberAddr(m)}): ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

function connectError(m: PgMember, e: unknown): Error {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const at = `postgres ${m.name} (${memberAddr(m)})`;
  if (err.code === '28P01' || err.code === '28000' || /password authentication failed|no pg_hba.conf entry/i.test(msg)) {
    return stepError(`${at}: authentication failed (${msg})`, { retryable: false });
  }
  if (err.code === '3D000') return stepError(`${at}: ${msg}`, { retryable: false });
  return stepError(`${at}: unreachable (${err.code ?? msg})`);
}

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
