import { parseDuration } from '../../util/duration.js';
import { stepError, type KindContext } from '../../model/kind.js';
import { withSession } from './client.js';
import { dialectOf, readReplicaRow } from './dialect.js';
import { countOf, missingText, newest } from './gtid.js';
import { connectTimeoutMs, readGtid } from './observe.js';
import { isTrue, type MysqlMemberView, type MysqlPrimaryParams, type MysqlPrimaryState } from './params.js';
import { memberOf, replicationOf, repointOthers } from './repoint.js';
import { dialectsOf } from './switchover.js';

/**
 * No primary answers (a cut data center, a frozen server): what it wrote after the candidate's last
 * received transaction cannot be known, so this needs acceptDataLoss. The candidate stops receiving,
 * applies what it did receive (within lagWait), drops its replication and takes writes; the other
 * answering members follow it. The record states the loss: the candidate's last GTID and what it had
 * received but could not apply. When the old primary answers again it is still writable (it never saw a
 * fence): verify and the next run see two writable primaries, and rollback fences it first.
 */
export async function promoteWithoutPrimary(p: MysqlPrimaryParams, s: MysqlPrimaryState, toName: string, ctx: KindContext): Promise<void> {
  const started = ctx.clock.monotonic();
  const to = memberOf(p, toName);
  const tv = s.members.find((m) => m.name === toName) as MysqlMemberView;
  const silent = s.members.filter((m) => m.role === 'unreachable').map((m) => m.name);
  replicationOf(p);
  if (!isTrue(p.acceptDataLoss)) {
    const who = silent.length > 0 ? `no primary answers (${silent.join(', ')} silent)` : 'no member is the primary';
    throw stepError(
      `refusing to promote ${toName}: ${who}, so what it has not received cannot be known (set acceptDataLoss: true to promote anyway)`,
      { retryable: false, unchanged: true },
    );
  }
  const ahead = aheadOf(s, tv);
  if (ahead.length > 0) {
    throw stepError(
      `refusing to promote ${toName}: ${ahead.join(', ')} received transactions it has not; promote that member (promote: true picks the most caught up)`,
      { retryable: false, unchanged: true },
    );
  }
  const ct = connectTimeoutMs(p);
  const d = dialectOf(tv.version ?? '');
  await withSession(to, ct, ctx.signal, async (ts) => {
    ctx.progress(`promoting ${toName} without a primary (data loss accepted)`);
    await ts.run(d.stopIoThread);
    const [row] = await ts.rows(d.replicaStatus);
    const received = row ? readReplicaRow(row).received.replace(/\s+/g, '') : '';
    let applied = await readGtid(ts, d);
    const pending = received === '' ? '' : missingText(d.flavor, received, applied);
    if (pending !== '') {
      const budget = Math.min(parseDuration(p.lagWait ?? '5s') ?? 5000, (ctx.remainingMs?.() ?? Number.POSITIVE_INFINITY) - 2 * ct);
      const seconds = d.waitSeconds(Math.max(1, budget));
      ctx.progress(`${toName} applies what it received (${pending})`);
      await ts.rows(d.waitApplied, [received, seconds], seconds * 1000 + ct);
      applied = await readGtid(ts, d);
    }
    await ts.run(d.stopReplica);
    await ts.run(d.resetReplicaAll);
    for (const sql of d.unfence) await ts.run(sql);
    ctx.note('electionMs', Math.round(ctx.clock.monotonic() - started));
    ctx.note('dataLossAccepted', true);
    ctx.note('appliedGtid', applied);
    const lost = received === '' ? '' : missingText(d.flavor, received, applied);
    ctx.note(
      'unappliedGtids',
      lost === ''
        ? `unknown: whatever ${silent.join(', ') || 'the primary'} wrote after ${applied || 'nothing'} (it did not answer)`
        : `${lost} (received, not applied), and whatever ${silent.join(', ') || 'the primary'} wrote after that`,
    );
  });
  const others = s.members.filter((m) => m.name !== toName && m.role !== 'unreachable').map((m) => m.name);
  await repointOthers(p, others, to, dialectsOf(s), ct, ctx);
  const gone = s.members.filter((m) => m.name !== toName && m.role === 'unreachable').map((m) => m.name);
  if (gone.length > 0) ctx.note('notRepointed', gone);
}

/** Answering replicas that received more than the candidate (promoting it would lose what they have). */
function aheadOf(s: MysqlPrimaryState, tv: MysqlMemberView): string[] {
  if (!tv.flavor || tv.gtid === undefined) return [];
  const flavor = tv.flavor;
  const mine = countOf(flavor, newest(flavor, tv.gtid, tv.replication?.received ?? ''));
  return s.members
    .filter((m) => m.name !== tv.name && m.role === 'replica' && m.flavor === flavor && m.gtid !== undefined)
    .filter((m) => countOf(flavor, newest(flavor, m.gtid ?? '', m.replication?.received ?? '')) > mine)
    .map((m) => m.name);
}
