import { parseDuration } from '../../util/duration.js';
import { leaveProbe, silentFor } from '../db-primary/silence.js';
import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { isNoAnswer, withSession, type Session } from './client.js';
import { dialectOf, readReplicaRow, type Dialect } from './dialect.js';
import { missingCount, newest } from './gtid.js';
import { askAll, notWaitedText } from '../survivors.js';
import { keepLate, knownAlive, lateActions, pendingLate } from '../late-answers.js';
import {
  addrOf,
  isTrue,
  promoting,
  type MysqlMember,
  type MysqlMemberView,
  type MysqlPrimaryParams,
  type MysqlPrimaryState,
  type ReplicationView,
} from './params.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const connectTimeoutMs = (p: MysqlPrimaryParams): number =>
  (p.connectTimeout ? parseDuration(p.connectTimeout) : undefined) ?? DEFAULT_CONNECT_TIMEOUT_MS;

export interface MemberRead {
  readonly view: MysqlMemberView;
  readonly dialect: Dialect;
}

/** The transactions a server has (one statement: the switch reads it between its steps). */
export async function readGtid(s: Session, d: Dialect): Promise<string> {
  const [st] = await s.rows(d.readState);
  const binlog = String(st?.['binlog'] ?? '').replace(/\s+/g, '');
  return d.flavor === 'mariadb' ? newest('mariadb', binlog, String(st?.['applied'] ?? '')) : binlog;
}

/** Read one member on an open session (read-only: SELECT and SHOW only). */
export async function readMember(s: Session, members: readonly MysqlMember[]): Promise<MemberRead> {
  const m = s.member;
  const [v] = await s.rows('SELECT VERSION() AS version');
  const version = String(v?.['version'] ?? '');
  const dialect = dialectOf(version);
  const [st] = await s.rows(dialect.readState);
  const statusRows = await s.rows(dialect.replicaStatus);
  const readOnly = Number(st?.['ro']) === 1;
  const superReadOnly = Number(st?.['sro']) === 1;
  const binlog = String(st?.['binlog'] ?? '').replace(/\s+/g, '');
  const applied = String(st?.['applied'] ?? '');
  const gtid = dialect.flavor === 'mariadb' ? newest('mariadb', binlog, applied) : binlog;
  const row = statusRows[0] ? readReplicaRow(statusRows[0]) : undefined;
  const replication: ReplicationView | undefined =
    row && row.host !== ''
      ? {
          source:
            members.find((x) => (x.host ?? '127.0.0.1') === row.host && (x.port ?? 3306) === row.port)?.name ?? `${row.host}:${row.port}`,
          io: row.io,
          sql: row.sql,
          secondsBehind: row.secondsBehind,
          ...(row.ioError ? { ioError: row.ioError } : {}),
          ...(row.sqlError ? { sqlError: row.sqlError } : {}),
          ...(row.received ? { received: row.received.replace(/\s+/g, '') } : {}),
        }
      : undefined;
  const role = !readOnly ? 'primary' : replication ? 'replica' : 'read-only';
  return {
    dialect,
    view: {
      name: m.name,
      dc: m.dc,
      role,
      flavor: dialect.flavor,
      version,
      serverId: Number(st?.['serverId'] ?? 0),
      readOnly,
      ...(dialect.flavor === 'mysql' ? { superReadOnly, gtidMode: String(st?.['gtidMode'] ?? '') } : {}),
      gtid,
      logBin: Number(st?.['logBin']) === 1,
      ...(replication ? { replication } : {}),
    },
  };
}

/**
 * One member, within connectTimeout. A member that stayed silent earlier in this step attempt and still
 * is (a probe left behind waits for its greeting) is reported at once: verify's polls do not wait
 * connectTimeout on a frozen or cut member every time.
 */
export async function observeMember(p: MysqlPrimaryParams, m: MysqlMember, ctx: KindContext): Promise<MysqlMemberView> {
  const host = m.host ?? '127.0.0.1';
  const port = m.port ?? 3306;
  const silent = silentFor(ctx, host, port);
  if (silent !== undefined) {
    return {
      name: m.name,
      dc: m.dc,
      role: 'unreachable',
      detail: `mysql ${m.name} (${addrOf(m)}): unreachable (no answer for ${Math.round(silent)} ms)`,
    };
  }
  const started = ctx.clock.monotonic();
  try {
    return (await withSession(m, connectTimeoutMs(p), ctx.signal, (s) => readMember(s, p.members))).view;
  } catch (e) {
    if (ctx.signal.aborted || (isStepError(e) && !e.retryable)) throw e;
    if (isNoAnswer(e)) leaveProbe(ctx, host, port, started, null);
    return { name: m.name, dc: m.dc, role: 'unreachable', detail: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Every member at once (a silent one costs one connect timeout and holds up no other), then who is
 * primary and each replica's lag. A member in a lost data center (ctx.lost) is not waited for, unless a
 * promotion must prove the old primary's position (promote without acceptDataLoss); it is still asked
 * (late-answers.ts): its late answer is acted on (a live old primary fenced), never taken for silence.
 */
export async function observeMysql(p: MysqlPrimaryParams, ctx: KindContext): Promise<MysqlPrimaryState> {
  if (p.members.length === 0) throw stepError('mysql.primary: no members', { retryable: false });
  await lateActions(ctx);
  const members = await askAll({
    members: p.members,
    ctx,
    // a lost member that answered late in this attempt (or that the step fenced) is alive: waited for
    dcOf: (m) => (knownAlive(ctx, m.name) ? null : m.dc),
    waitForLost: promoting(p) && !isTrue(p.acceptDataLoss),
    ask: (m, ctx) => pendingLate<MysqlMemberView>(ctx, m.name) ?? observeMember(p, m, ctx),
    silent: (m, dc): MysqlMemberView => ({
      name: m.name,
      dc: m.dc,
      role: 'unreachable',
      detail: `mysql ${m.name} (${addrOf(m)}): ${notWaitedText(dc)}`,
    }),
    onNotWaited: (ms) =>
      ctx.note(
        'membersNotWaitedFor',
        ms.map((m) => m.name),
      ),
    late: (m, answer) => keepLate(ctx, m.name, m, answer),
  });
  if (members.every((m) => m.role === 'unreachable')) {
    throw stepError(`mysql: no member answers (${members.map((m) => m.detail ?? m.name).join('; ')})`);
  }
  return mysqlStateOf(members);
}

/** The state the members' views make: the single writable primary (if one), and each replica's lag behind it. */
export function mysqlStateOf(members: readonly MysqlMemberView[]): MysqlPrimaryState {
  const writable = members.filter((m) => m.role === 'primary');
  const one = writable.length === 1 ? writable[0] : undefined;
  const lag: Record<string, number | null> = {};
  for (const m of members) {
    if (m.role === 'primary' || m.role === 'unreachable') continue;
    lag[m.name] =
      one?.gtid !== undefined && m.gtid !== undefined && m.flavor !== undefined ? missingCount(m.flavor, one.gtid, m.gtid) : null;
  }
  return { primary: one?.name ?? null, primaryDc: one?.dc ?? null, writable: writable.map((m) => m.name), members, lag };
}
