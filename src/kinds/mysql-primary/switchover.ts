import { parseDuration } from '../../util/duration.js';
import { stepError, type KindContext } from '../../model/kind.js';
import { openSession, type Session } from './client.js';
import { dialectOf, type Dialect } from './dialect.js';
import { fence, withUnfence } from './fence.js';
import { missingCount, missingText } from './gtid.js';
import { connectTimeoutMs, readGtid } from './observe.js';
import { isTrue, type MysqlMemberView, type MysqlPrimaryParams, type MysqlPrimaryState } from './params.js';
import { followAsFormerPrimary, memberOf, replicationOf, repointOthers } from './repoint.js';

const view = (s: MysqlPrimaryState, name: string): MysqlMemberView | undefined => s.members.find((m) => m.name === name);
export const dialectsOf = (s: MysqlPrimaryState): Map<string, Dialect> =>
  new Map(s.members.filter((m) => m.version !== undefined).map((m) => [m.name, dialectOf(m.version ?? '')]));

/** Time kept, after every wait, to lift read_only on the fenced primary again: a connection and two statements. */
export const unfenceReserveMs = (p: MysqlPrimaryParams): number => 2 * connectTimeoutMs(p) + 200;

/**
 * The planned switch, old primary `from` answering: fence it (read_only, its clients killed), wait until
 * the candidate has applied the fenced primary's last GTID (MASTER_GTID_WAIT / WAIT_FOR_EXECUTED_GTID_SET:
 * RPO 0), stop and reset the candidate's replication, make it writable, then check the old one is still
 * fenced (never two writable primaries) and re-point it and every other member to the new one. Refusals
 * before the fence change nothing; a refusal after it lifts the fence again within the step's time.
 */
export async function plannedSwitch(
  p: MysqlPrimaryParams,
  s: MysqlPrimaryState,
  fromName: string,
  toName: string,
  ctx: KindContext,
  lagWait = p.lagWait ?? '5s',
): Promise<void> {
  const started = ctx.clock.monotonic();
  const [from, to] = [memberOf(p, fromName), memberOf(p, toName)];
  const [fv, tv] = [view(s, fromName) as MysqlMemberView, view(s, toName) as MysqlMemberView];
  const ct = connectTimeoutMs(p);
  const lossOk = isTrue(p.acceptDataLoss);
  replicationOf(p);
  const noGtid = [fv, tv].find((v) => v.flavor === 'mysql' && v.gtidMode !== 'ON');
  if (noGtid)
    throw stepError(
      `refusing to switch: ${noGtid.name} has gtid_mode ${noGtid.gtidMode ?? '?'}, want ON (the catch-up and the re-pointing are by GTID)`,
      { retryable: false, unchanged: true },
    );
  if (tv.logBin === false)
    throw stepError(`refusing to promote ${toName}: it has no binary log (log_bin OFF), so ${fromName} could not replicate from it`, {
      retryable: false,
      unchanged: true,
    });
  const r = tv.replication;
  if (r?.source !== fromName)
    throw stepError(
      `refusing to promote ${toName}: it replicates from ${r?.source ?? 'nothing'}, not from ${fromName}, so it cannot catch up with it`,
      { retryable: false, unchanged: true },
    );
  const lag = fv.flavor && fv.gtid !== undefined && tv.gtid !== undefined ? missingCount(fv.flavor, fv.gtid, tv.gtid) : null;
  if (p.maxLagTransactions !== undefined && lag !== null && lag > p.maxLagTransactions) {
    throw stepError(
      `refusing to promote ${toName}: ${lag} transactions behind ${fromName}, more than maxLagTransactions ${p.maxLagTransactions} (the primary was not fenced)`,
      { retryable: false, unchanged: true },
    );
  }
  if ((r.io !== 'Yes' || r.sql !== 'Yes') && !lossOk) {
    const errors = [r.ioError, r.sqlError].filter(Boolean).join('; ');
    throw stepError(
      `refusing to promote ${toName}: its replication from ${fromName} is not running (IO ${r.io}, SQL ${r.sql}${errors ? `: ${errors}` : ''}), so it cannot catch up (set acceptDataLoss: true to promote anyway)`,
      { retryable: false, unchanged: true },
    );
  }
  const reserve = unfenceReserveMs(p);
  const left = ctx.remainingMs?.() ?? Number.POSITIVE_INFINITY;
  if (left < 2 * reserve + ct) {
    throw stepError(
      `refusing to fence ${fromName}: the step has ${Math.round(left)}ms left, want at least ${2 * reserve + ct}ms (to wait for ${toName} and still lift the fence if it does not catch up): raise the step's timeout`,
      { retryable: false, unchanged: true },
    );
  }
  const opened = await Promise.allSettled([openSession(from, ct, ctx.signal), openSession(to, ct, ctx.signal)]);
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
    throw failed.reason;
  }
  const [fs, ts] = opened.map((o) => (o as PromiseFulfilledResult<Session>).value) as [Session, Session];
  try {
    const fd = dialectOf(fv.version ?? '');
    const td = dialectOf(tv.version ?? '');
    let fenced = false;
    let fencedAt = started;
    try {
      const [now] = await fs.rows('SELECT @@global.read_only AS ro');
      if (Number(now?.['ro']) === 0) {
        ctx.progress(`fencing ${fromName} (read_only, killing its client connections)`);
        fenced = true;
        fencedAt = ctx.clock.monotonic();
        ctx.note('killedConnections', await fence(fs, fd, p.killConnections === undefined || isTrue(p.killConnections)));
      }
      const final = await readGtid(fs, fd);
      await catchUp(p, ts, td, fromName, toName, final, lossOk, ctx, lagWait, reserve);
      ctx.progress(`promoting ${toName}`);
      await ts.run(td.stopReplica);
      await ts.run(td.resetReplicaAll);
    } catch (e) {
      if (fenced) {
        await ts.run(td.startReplica).catch(() => undefined); // its replication, as it was
        throw await withUnfence(from, fd, fs, ct, e, ctx);
      }
      throw e;
    }
    for (const sql of td.unfence) await ts.run(sql);
    ctx.note('electionMs', Math.round(ctx.clock.monotonic() - started));
    ctx.note('writesBlockedMs', Math.round(ctx.clock.monotonic() - fencedAt));
    await neverTwo(fs, ts, td, fromName, toName);
    ctx.progress(`re-pointing ${fromName} to ${toName}`);
    await followAsFormerPrimary(fs, fd, p, to);
  } finally {
    await Promise.all([fs.close(), ts.close()]);
  }
  const others = s.members.filter((m) => m.name !== fromName && m.name !== toName).map((m) => m.name);
  await repointOthers(p, others, to, dialectsOf(s), ct, ctx);
}

/** Wait for the candidate to apply `final` (the fenced primary's last GTID), within lagWait and the step's time. */
async function catchUp(
  p: MysqlPrimaryParams,
  ts: Session,
  td: Dialect,
  fromName: string,
  toName: string,
  final: string,
  lossOk: boolean,
  ctx: KindContext,
  lagWait: string,
  reserve: number,
): Promise<void> {
  const ct = connectTimeoutMs(p);
  const has = (): Promise<string> => readGtid(ts, td);
  const before = await has();
  const behind = final === '' ? 0 : missingCount(td.flavor, final, before);
  ctx.note('lagTransactions', behind);
  if (behind === 0) return;
  const budget = Math.min(parseDuration(lagWait) ?? 5000, (ctx.remainingMs?.() ?? Number.POSITIVE_INFINITY) - reserve - ct);
  const seconds = td.waitSeconds(Math.max(1, budget));
  ctx.progress(`waiting for ${toName} to apply ${behind} transaction(s) of ${fromName}`);
  const [row] = await ts.rows(td.waitApplied, [final, seconds], seconds * 1000 + ct);
  if (td.waitDone(row?.['w'])) return;
  const missing = missingText(td.flavor, final, await has());
  if (missing === '') return; // applied just as the wait ended
  if (!lossOk) {
    throw stepError(
      `refusing to promote ${toName}: it has not applied ${missingCount(td.flavor, final, await has())} of ${fromName}'s transactions (${missing}) after waiting ${lagWait} (or the step's time left) (set acceptDataLoss: true to promote anyway)`,
      { retryable: false },
    );
  }
  ctx.note('dataLossAccepted', true);
  ctx.note('unappliedGtids', missing);
}

/** After the promotion: the old primary must still be read-only (someone may have lifted it); else the new one is fenced again. */
async function neverTwo(fs: Session, ts: Session, td: Dialect, fromName: string, toName: string): Promise<void> {
  const [row] = await fs.rows('SELECT @@global.read_only AS ro');
  if (Number(row?.['ro']) === 1) return;
  for (const sql of td.fence) await ts.run(sql).catch(() => undefined);
  throw stepError(
    `${fromName} became writable again during the switch (someone lifted read_only): ${toName} was fenced again; resolve by hand`,
    { retryable: false },
  );
}
