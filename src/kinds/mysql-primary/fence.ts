import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { openSession, type Session } from './client.js';
import { SYSTEM_COMMANDS, SYSTEM_USERS, type Dialect } from './dialect.js';
import type { MysqlMember } from './params.js';

/**
 * Stop writes on a primary: read_only (MySQL: super_read_only), then end its client connections (open
 * transactions roll back, pooled clients reconnect to whatever the proxy points at). Replication threads,
 * the event scheduler and drctl's own connection are left alone. Returns the number of connections killed.
 */
export async function fence(s: Session, d: Dialect, killClients: boolean): Promise<number> {
  for (const sql of d.fence) await s.run(sql);
  if (!killClients) return 0;
  const rows = await s.rows(
    'SELECT ID AS id, USER AS user, COMMAND AS command FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()',
  );
  let killed = 0;
  for (const r of rows) {
    if (SYSTEM_COMMANDS.includes(String(r['command'])) || SYSTEM_USERS.includes(String(r['user']))) continue;
    try {
      await s.run('KILL CONNECTION ?', [Number(r['id'])]);
      killed++;
    } catch (e) {
      if (!/Unknown thread id/i.test((e as Error).message)) throw e; // it ended meanwhile
    }
  }
  return killed;
}

/**
 * Writes back on a primary the step fenced and could not replace. A client timeout does not mean the
 * server did not run the statement: on a fresh connection the fencing session's statement (if it is still
 * running) is killed first, then read_only is lifted and checked. Runs whatever the step's deadline says
 * (its own short timeouts bound it), so a refused switch never leaves the estate without a primary.
 */
export async function unfence(m: MysqlMember, d: Dialect, fencing: Session | undefined, timeoutMs: number): Promise<void> {
  const never = new AbortController().signal;
  const s = await openSession(m, timeoutMs, never);
  try {
    if (fencing !== undefined) await s.run('KILL QUERY ?', [fencing.threadId]).catch(() => undefined);
    for (const sql of d.unfence) await s.run(sql);
    const [row] = await s.rows('SELECT @@global.read_only AS ro');
    if (Number(row?.['ro']) !== 0) throw stepError(`mysql ${m.name}: read_only is still on after lifting it`);
  } finally {
    await s.close();
  }
}

/** The step's own error, with what became of the fenced primary (never a claim that writes are back when they are not). */
export async function withUnfence(
  m: MysqlMember,
  d: Dialect,
  fencing: Session | undefined,
  timeoutMs: number,
  cause: unknown,
  ctx: KindContext,
): Promise<Error> {
  ctx.progress(`lifting read_only on ${m.name} (the switch did not go ahead)`);
  const failed = await unfence(m, d, fencing, timeoutMs).then(
    () => undefined,
    (e: unknown) => (e as Error).message,
  );
  const why = cause instanceof Error ? cause.message : String(cause);
  const outcome =
    failed === undefined
      ? `${m.name} takes writes again`
      : `lifting read_only on ${m.name} FAILED too (${failed}): no member takes writes: SET GLOBAL read_only = 0 on ${m.name} by hand`;
  const retryable = failed === undefined && (isStepError(cause) ? cause.retryable : true);
  return stepError(`${why}; ${outcome}`, { retryable, unchanged: failed === undefined, cause });
}
