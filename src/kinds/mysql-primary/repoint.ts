import { isSecret } from '../../util/secret.js';
import { stepError, type KindContext } from '../../model/kind.js';
import { withSession, type Session } from './client.js';
import type { Dialect } from './dialect.js';
import type { MysqlMember, MysqlPrimaryParams } from './params.js';

export const memberOf = (p: MysqlPrimaryParams, name: string): MysqlMember => {
  const m = p.members.find((x) => x.name === name);
  if (!m) throw stepError(`mysql.primary: no member named ${name}`, { retryable: false });
  return m;
};

/** The replication account, or a refusal (it is needed to re-point anything). */
export function replicationOf(p: MysqlPrimaryParams): { user: string; password: string | undefined; connectRetry: number | undefined } {
  const r = p.replication;
  if (!r)
    throw stepError('mysql.primary: give replication: {user, password} (the account replicas connect to the new primary with)', {
      retryable: false,
      unchanged: true,
    });
  return { user: r.user, password: isSecret(r.password) ? r.password.reveal() : r.password, connectRetry: r.connectRetry };
}

/**
 * A server that was a primary (or ran on its own) follows `primary` by GTID: its own replication is reset,
 * what it has counts as applied (MariaDB: gtid_slave_pos = gtid_binlog_pos, else strict mode refuses the
 * stream as out of order), then CHANGE MASTER with auto-positioning and START.
 */
export async function followAsFormerPrimary(s: Session, d: Dialect, p: MysqlPrimaryParams, primary: MysqlMember): Promise<void> {
  const r = replicationOf(p);
  await s.run(d.stopReplica);
  await s.run(d.resetReplicaAll);
  for (const sql of d.seedApplied) await s.run(sql);
  const [sql, values] = d.changeSource(primary.host ?? '127.0.0.1', primary.port ?? 3306, r.user, r.password, r.connectRetry);
  await s.run(sql, values);
  await s.run(d.startReplica);
}

/** A replica of the old primary follows the new one (its applied position carries over: no seeding). */
export async function followAsReplica(s: Session, d: Dialect, p: MysqlPrimaryParams, primary: MysqlMember): Promise<void> {
  const r = replicationOf(p);
  await s.run(d.stopReplica);
  const [sql, values] = d.changeSource(primary.host ?? '127.0.0.1', primary.port ?? 3306, r.user, r.password, r.connectRetry);
  await s.run(sql, values);
  await s.run(d.startReplica);
}

/**
 * Every other answering member follows the new primary, all at once; a member that does not answer is
 * named in the record (notRepointed) and left for the next run. Errors are collected, not stopped at.
 */
export async function repointOthers(
  p: MysqlPrimaryParams,
  names: readonly string[],
  primary: MysqlMember,
  dialects: ReadonlyMap<string, Dialect>,
  timeoutMs: number,
  ctx: KindContext,
): Promise<void> {
  const skipped: string[] = [];
  const failed: string[] = [];
  await Promise.all(
    names.map(async (name) => {
      const d = dialects.get(name);
      if (!d) {
        skipped.push(name);
        return;
      }
      try {
        await withSession(memberOf(p, name), timeoutMs, ctx.signal, (s) => followAsReplica(s, d, p, primary));
      } catch (e) {
        failed.push(`${name}: ${(e as Error).message}`);
      }
    }),
  );
  if (skipped.length > 0) ctx.note('notRepointed', skipped.sort());
  if (failed.length > 0) throw stepError(`promoted ${primary.name}, but re-pointing failed for ${failed.join('; ')}`);
}
