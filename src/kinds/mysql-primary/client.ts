import type { Connection } from 'mysql2/promise';
import { loadMysql, mysqlConnectionOptions } from '../../infra/mysql-connect.js';
import { isSecret } from '../../util/secret.js';
import { isStepError, StepError, stepError } from '../../model/kind.js';
import { addrOf, type MysqlMember } from './params.js';

/** mysql2, imported on first use (or by the kind's preload): validate and other kinds never load it. */
export { loadMysql };

/** One connection to one member: every statement with a timeout; closed on abort. */
export interface Session {
  readonly member: MysqlMember;
  /** The server's id for this connection (CONNECTION_ID()): the fence never kills its own. */
  readonly threadId: number;
  rows(sql: string, values?: readonly unknown[], timeoutMs?: number): Promise<Record<string, unknown>[]>;
  run(sql: string, values?: readonly unknown[], timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const where = (m: MysqlMember): string => `mysql ${m.name} (${addrOf(m)})`;

/**
 * Connect with exactly the member's fields (mysql2 reads no ~/.my.cnf and no MYSQL_* variable), a
 * connect timeout, and a timeout on every statement (mysql2 has none by default: a frozen server would
 * hold a statement forever). A statement that times out closes the connection: the server may still
 * run it, and the connection's state is unknown. The signal (the step's deadline) closes it too.
 */
export async function openSession(m: MysqlMember, timeoutMs: number, signal: AbortSignal): Promise<Session> {
  if (signal.aborted) throw stepError(`${where(m)}: cancelled`);
  const mysql = await loadMysql().catch((e: unknown) => {
    throw stepError(`mysql2 could not be loaded: ${(e as Error).message} (npm ci)`, { retryable: false, cause: e });
  });
  const password = isSecret(m.password) ? m.password.reveal() : m.password;
  const connecting = mysql.createConnection(
    mysqlConnectionOptions({ host: m.host ?? '127.0.0.1', port: m.port ?? 3306, user: m.user ?? 'root', password }, timeoutMs),
  );
  let conn: Connection;
  try {
    conn = await abortable(
      connecting,
      signal,
      () =>
        void connecting.then(
          (c) => c.destroy(),
          () => undefined,
        ),
    );
  } catch (e) {
    throw connectError(m, e, timeoutMs);
  }
  conn.on('error', () => undefined);
  const onAbort = (): void => conn.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const query = async (sql: string, values: readonly unknown[] | undefined, t: number | undefined): Promise<unknown> => {
    try {
      const [result] = await conn.query({ sql, values: values === undefined ? [] : [...values], timeout: t ?? timeoutMs });
      return result;
    } catch (e) {
      const err = e as { code?: string; sqlMessage?: string; message?: string; errno?: number };
      if (signal.aborted) throw stepError(`${where(m)}: cancelled during "${sql}"`, { cause: e });
      if (err.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        conn.destroy();
        throw stepError(`${where(m)}: no answer to "${sql}" within ${Math.round(t ?? timeoutMs)}ms`, { cause: e });
      }
      const denied = err.errno === 1227 || err.errno === 1045 || err.errno === 1142;
      throw stepError(`${where(m)}: "${sql}" failed: ${err.sqlMessage ?? err.message ?? String(e)}`, { retryable: !denied, cause: e });
    }
  };
  return {
    member: m,
    threadId: conn.threadId ?? 0,
    async rows(sql, values, t) {
      const r = await query(sql, values, t);
      return Array.isArray(r) ? (r as Record<string, unknown>[]) : [];
    },
    async run(sql, values, t) {
      await query(sql, values, t);
    },
    async close() {
      signal.removeEventListener('abort', onAbort);
      await conn.end().catch(() => conn.destroy());
    },
  };
}

/** A session for the length of fn, closed in finally. */
export async function withSession<T>(m: MysqlMember, timeoutMs: number, signal: AbortSignal, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await openSession(m, timeoutMs, signal);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort();
      reject(new Error('cancelled'));
    };
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

/** The error a member that does not let us in gives: refused, silent (a frozen or cut server), or denied (not retryable). */
function connectError(m: MysqlMember, e: unknown, timeoutMs: number): Error {
  if (isStepError(e)) return e;
  const err = e as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  if (err.errno === 1045 || err.errno === 1044 || err.errno === 1698) {
    return stepError(`${where(m)}: authentication failed (${err.sqlMessage ?? err.message ?? ''})`, { retryable: false, cause: e });
  }
  if (err.code === 'ETIMEDOUT') return new NoAnswer(`${where(m)}: unreachable (no answer within ${timeoutMs}ms)`, e);
  if (err.message === 'cancelled') return stepError(`${where(m)}: cancelled`, { cause: e });
  return stepError(`${where(m)}: unreachable (${err.code ?? err.sqlMessage ?? err.message ?? String(e)})`, { cause: e });
}

/** The member accepted nothing within the connect timeout: silent (frozen, cut), not refusing. */
export class NoAnswer extends StepError {
  readonly noAnswer = true as const;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}
export const isNoAnswer = (e: unknown): e is NoAnswer => e instanceof NoAnswer;
