import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { withSession } from './client.js';
import { dialectOf } from './dialect.js';
import { fence } from './fence.js';
import { mariadbNotIn, missingText } from './gtid.js';
import { connectTimeoutMs, observeMember, observeMysql } from './observe.js';
import type { MysqlPrimaryParams, MysqlPrimaryState } from './params.js';
import { followAsFormerPrimary, followAsReplica, memberOf } from './repoint.js';
import { plannedSwitch } from './switchover.js';

/**
 * `name` follows `primaryName`. A writable `name` (a thawed old primary beside the new one: a split
 * brain) is fenced first. A server that ran on its own (a former primary) is checked before it follows:
 * when it has transactions the primary never received, it diverged (writes it took while cut off) and
 * is refused, naming those GTIDs: it stays read-only, to be rebuilt from the primary.
 */
export async function rejoin(
  p: MysqlPrimaryParams,
  s: MysqlPrimaryState,
  name: string,
  primaryName: string,
  ctx: KindContext,
): Promise<void> {
  const v = s.members.find((m) => m.name === name);
  if (!v || v.role === 'unreachable')
    throw stepError(`mysql ${name} does not answer (${v?.detail ?? 'not observed'}): bring it back first`);
  const primary = memberOf(p, primaryName);
  const pv = s.members.find((m) => m.name === primaryName);
  const d = dialectOf(v.version ?? '');
  const ct = connectTimeoutMs(p);
  await withSession(memberOf(p, name), ct, ctx.signal, async (ws) => {
    if (v.role === 'replica') {
      ctx.progress(`re-pointing ${name} to ${primaryName}`);
      await followAsReplica(ws, d, p, primary);
      return;
    }
    if (v.role === 'primary') {
      ctx.progress(`fencing ${name}: writable beside ${primaryName} (a split brain)`);
      await fence(ws, d, true);
      ctx.note('fencedSplitBrain', name);
    }
    const [own] = await ws.rows(d.readState);
    const diverged = await withSession(primary, ct, ctx.signal, async (cs) => {
      if (d.flavor === 'mysql') return missingText('mysql', String(own?.['binlog'] ?? ''), pv?.gtid ?? '');
      const [st] = await cs.rows('SELECT @@global.gtid_binlog_state AS state');
      return mariadbNotIn(String(own?.['binlog'] ?? ''), String(st?.['state'] ?? ''));
    });
    if (diverged !== '') {
      ctx.note('divergedGtids', diverged);
      throw stepError(
        `${name} has transactions ${primaryName} never received (${diverged}): it diverged (writes it took while cut off); it stays read-only: rebuild it from ${primaryName}`,
        { retryable: false },
      );
    }
    ctx.progress(`${name} rejoins as a replica of ${primaryName}`);
    await followAsFormerPrimary(ws, d, p, primary);
  });
}

/** The primary stays; every answering member not following it (a split-brain twin, a fenced old primary, a stray replica) follows it. */
export async function repair(p: MysqlPrimaryParams, s: MysqlPrimaryState, primaryName: string, ctx: KindContext): Promise<void> {
  const strays = s.members.filter(
    (m) => m.name !== primaryName && m.role !== 'unreachable' && (m.role === 'primary' || m.replication?.source !== primaryName),
  );
  // twins first: from here on only one member takes writes
  const ordered = [...strays].sort((a, b) => Number(b.role === 'primary') - Number(a.role === 'primary'));
  for (const m of ordered) await rejoin(p, s, m.name, primaryName, ctx);
}

/**
 * Fail back: make `wantName` (the primary before the step) primary again without losing what the
 * current primary took since: it rejoins the current primary (fenced first when writable, refused when
 * diverged), replicates with both threads running, then the same fenced switch runs the other way.
 */
export async function failBack(p: MysqlPrimaryParams, s: MysqlPrimaryState, wantName: string, ctx: KindContext): Promise<void> {
  const currentName = s.writable.find((n) => n !== wantName);
  if (!currentName) {
    if (s.writable.includes(wantName)) return repair(p, s, wantName, ctx);
    throw stepError(`mysql.primary rollback: no primary to fail back from (${s.members.map((m) => `${m.name} ${m.role}`).join(', ')})`);
  }
  const wv = s.members.find((m) => m.name === wantName);
  if (wv?.replication?.source !== currentName || wv.role === 'primary') await rejoin(p, s, wantName, currentName, ctx);
  ctx.progress(`waiting for ${wantName} to replicate from ${currentName}`);
  const fresh = await waitFollowing(p, wantName, currentName, ctx);
  await plannedSwitch({ ...p, acceptDataLoss: false }, fresh, currentName, wantName, ctx, p.lagWait ?? '30s');
}

/** Observe until `name` replicates from `from` with both threads running (the switch needs it to catch up). */
async function waitFollowing(p: MysqlPrimaryParams, name: string, from: string, ctx: KindContext): Promise<MysqlPrimaryState> {
  for (;;) {
    const v = await observeMember(p, memberOf(p, name), ctx);
    const r = v.replication;
    if (r?.source === from && r.io === 'Yes' && r.sql === 'Yes') return observeMysql(p, ctx);
    // a stopped thread with an error will not recover by itself (an IO thread that is Connecting retries)
    if (r && ((r.io === 'No' && r.ioError) || (r.sql === 'No' && r.sqlError))) {
      throw stepError(`${name} cannot replicate from ${from}: ${[r.ioError, r.sqlError].filter(Boolean).join('; ')}`);
    }
    try {
      await ctx.clock.sleep(50, ctx.signal);
    } catch (e) {
      if (isStepError(e)) throw e;
      throw stepError(`${name} did not start replicating from ${from} within the step's time (IO ${r?.io ?? '-'}, SQL ${r?.sql ?? '-'})`);
    }
  }
}
