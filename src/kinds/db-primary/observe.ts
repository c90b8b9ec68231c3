import { parseDuration } from '../../util/duration.js';
import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { isNoAnswer, readNode, withPg } from './client.js';
import { endpointOf } from './connection.js';
import { controlData, isManaged } from './local.js';
import { leaveProbe, silentFor } from './silence.js';
import { askAll, notWaitedText } from '../survivors.js';
import { keepLate, knownAlive, lateActions, pendingLate } from '../late-answers.js';
import { isTrue, stateOf, type DbPrimaryParams, type DbPrimaryState, type MemberView, type PgMember } from './params.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const connectTimeoutMs = (p: DbPrimaryParams): number =>
  (p.connectTimeout ? parseDuration(p.connectTimeout) : undefined) ?? DEFAULT_CONNECT_TIMEOUT_MS;

/**
 * Read-only: each member's role and WAL position; a managed member that is down shows its last
 * checkpoint. A member that stayed silent earlier in this step attempt and still is (silence.ts) is
 * reported at once: verify does not wait connectTimeout on a frozen or cut member at every poll.
 */
export async function observeMember(p: DbPrimaryParams, m: PgMember, ctx: KindContext): Promise<MemberView> {
  const { host, port } = endpointOf(m);
  const silent = silentFor(ctx, host, port);
  if (silent !== undefined) {
    return {
      name: m.name,
      dc: m.dc,
      role: 'unreachable',
      detail: `postgres ${m.name} (${host}:${port}): unreachable (no answer for ${Math.round(silent)} ms)`,
    };
  }
  const started = ctx.clock.monotonic();
  try {
    const n = await withPg(m, connectTimeoutMs(p), ctx.signal, readNode, { reuse: ctx });
    return { name: m.name, dc: m.dc, role: n.inRecovery ? 'standby' : 'primary', lsn: n.lsn, timeline: n.timeline };
  } catch (e) {
    if (ctx.signal.aborted || (isStepError(e) && !e.retryable)) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    if (isNoAnswer(e)) {
      // Silent, not stopped: a stopped local cluster refuses at once; its control file would say "in production".
      leaveProbe(ctx, host, port, started);
      return { name: m.name, dc: m.dc, role: 'unreachable', detail };
    }
    if (isManaged(m)) {
      const cd = await controlData(m, ctx).catch(() => undefined);
      if (cd && cd.state.startsWith('shut down')) {
        return { name: m.name, dc: m.dc, role: 'stopped', lsn: cd.checkpointLsn, timeline: cd.timeline, detail: `cluster ${cd.state}` };
      }
    }
    return { name: m.name, dc: m.dc, role: 'unreachable', detail };
  }
}

/**
 * Every member at once. A member in a lost data center (ctx.lost) is not waited for — the standby is what
 * the step acts on — except when a promotion must prove the old primary's position (promote without
 * acceptDataLoss): then its answer (or its own connectTimeout) decides, as without ctx.lost. A lost member
 * not waited for is still asked (late-answers.ts): once it has answered in this attempt it is alive and waited for
 * like any other, and a fence started on its late answer is waited for before the members are read.
 */
export async function observeDb(p: DbPrimaryParams, ctx: KindContext): Promise<DbPrimaryState> {
  if (p.members.length === 0) throw stepError('db.primary: no members', { retryable: false });
  await lateActions(ctx);
  const promoting = p.promote !== undefined && p.promote !== false && p.promote !== 'false';
  const members = await askAll({
    members: p.members,
    ctx,
    dcOf: (m) => (knownAlive(ctx, m.name) ? null : m.dc),
    waitForLost: promoting && !isTrue(p.acceptDataLoss),
    ask: (m, ctx) => pendingLate<MemberView>(ctx, m.name) ?? observeMember(p, m, ctx),
    silent: (m, dc): MemberView => ({ name: m.name, dc: m.dc, role: 'unreachable', detail: `postgres ${m.name}: ${notWaitedText(dc)}` }),
    onNotWaited: (ms) =>
      ctx.note(
        'membersNotWaitedFor',
        ms.map((m) => m.name),
      ),
    late: (m, answer) => keepLate(ctx, m.name, m, answer),
  });
  if (members.every((m) => m.role === 'unreachable')) {
    throw stepError(`postgres: no member answers (${members.map((m) => `${m.name}: ${m.detail ?? ''}`).join('; ')})`);
  }
  return stateOf(members);
}
