import type { KindContext } from '../../model/kind.js';
import { lateViews } from '../late-answers.js';
import { stateOf, type DbPrimaryState, type MemberView } from './params.js';

/**
 * The observed state with the late answers that came since (late-answers.ts): a live old primary that
 * answered after the survivors is the primary again (the promotion fences it first, as if it had
 * answered at once).
 */
export function withLateAnswers(s: DbPrimaryState, ctx: KindContext): DbPrimaryState {
  const late = lateViews<MemberView>(ctx);
  const members = s.members.map((m) => late.get(m.name) ?? m);
  if (members.every((m, i) => m === s.members[i])) return s;
  return { ...s, ...stateOf(members) };
}
