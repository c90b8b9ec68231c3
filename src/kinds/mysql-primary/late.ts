import { stepError, type KindContext } from '../../model/kind.js';
import { actedOnMember, askedLate, lateViews, onLateAnswer } from '../late-answers.js';
import { withSession } from './client.js';
import { dialectOf } from './dialect.js';
import { fence } from './fence.js';
import { connectTimeoutMs, mysqlStateOf } from './observe.js';
import { isTrue, type MysqlMember, type MysqlMemberView, type MysqlPrimaryParams, type MysqlPrimaryState } from './params.js';
import { followAsFormerPrimary, memberOf } from './repoint.js';

/**
 * The observed state with the late answers of lost members that came since (late-answers.ts): a live
 * old primary that answered after the survivors is the primary again, and the switch is the planned one
 * (fenced first, as if it had answered at once).
 */
export function withLateAnswers(s: MysqlPrimaryState, ctx: KindContext): MysqlPrimaryState {
  const late = lateViews<MysqlMemberView>(ctx);
  const members = s.members.map((m) => late.get(m.name) ?? m);
  const changed = members.filter((m, i) => m !== s.members[i]).map((m) => m.name);
  if (changed.length === 0) return s;
  ctx.note('membersAnsweredLate', changed);
  return { ...s, ...mysqlStateOf(members) };
}

/**
 * After the promotion of `toName`, members of a lost data center still being asked: one whose answer
 * came during the promotion, or comes while the step verifies, as a writable primary is alive after all,
 * a second writable primary. Verify's next observe fences it (read_only, its clients killed) and points it
 * at the new primary, as the planned switch does with the old one (late-answers.ts); an answer after the
 * step has ended is not acted on. One that never answers is not
 * waited for: if it comes back writable, verify or the next run sees two writable primaries and the
 * rollback fences it first (as with any old primary that was cut).
 */
export function fenceWhenAnswering(p: MysqlPrimaryParams, toName: string, skip: readonly string[], ctx: KindContext): void {
  const to = memberOf(p, toName);
  for (const m of askedLate<MysqlMember>(ctx).filter((x) => x.name !== toName && !skip.includes(x.name))) {
    onLateAnswer<MysqlMemberView>(ctx, m.name, async (v) => {
      if (v.role !== 'primary') return;
      ctx.progress(`${m.name} (lost data center ${m.dc}) answered after ${toName} was promoted, as a writable primary: fencing it`);
      ctx.note('fencedAfterPromotion', m.name);
      actedOnMember(ctx, m.name);
      const d = dialectOf(v.version ?? '');
      await withSession(m, connectTimeoutMs(p), ctx.signal, async (s) => {
        ctx.note('killedConnections', await fence(s, d, p.killConnections === undefined || isTrue(p.killConnections)));
        ctx.progress(`re-pointing ${m.name} to ${toName}`);
        await followAsFormerPrimary(s, d, p, to);
      }).catch((e: unknown) => {
        throw stepError(
          `mysql ${m.name} (lost data center ${m.dc}) answered after ${toName} was promoted as a writable primary, and fencing it failed: ${(e as Error).message}; two writable primaries: fence it by hand`,
          { retryable: false, cause: e },
        );
      });
    });
  }
}
