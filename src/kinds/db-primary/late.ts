import type { KindContext } from '../../model/kind.js';
import { stateOf, type DbPrimaryState, type MemberView, type PgMember } from './params.js';

/**
 * Members in a lost data center (ctx.lost) that had not answered when the survivors had: their question
 * goes on (bounded by connectTimeout and the step's signal), kept here for the step attempt (the ctx),
 * so a lost member that answers late is not taken for dead. A live old primary that answers before the
 * promotion is fenced first, as if it had answered at once; one that answers after it is fenced then
 * (`fence`), and every later observe of the attempt waits for that fence and for the member (it is
 * alive: waiting for it costs its answer's time, not a timeout).
 */
interface Late {
  readonly member: PgMember;
  readonly answer: Promise<MemberView>;
  /** Its answer, once it came. */
  view?: MemberView;
  /** What the step does about its late answer (fencing a second primary), once the answer came. */
  fence?: Promise<void>;
}

const byAttempt = new WeakMap<KindContext, Map<string, Late>>();
/** Members the step acted on in this attempt (a fenced old primary): alive, waited for from then on. */
const actedOn = new WeakMap<KindContext, Set<string>>();

function table(ctx: KindContext): Map<string, Late> {
  const t = byAttempt.get(ctx) ?? new Map<string, Late>();
  byAttempt.set(ctx, t);
  return t;
}

/** A lost member's question, still running when the survivors had answered. */
export function keepLate(ctx: KindContext, member: PgMember, answer: Promise<MemberView>): void {
  const t = table(ctx);
  if (t.get(member.name)?.answer === answer) return;
  const late: Late = { member, answer };
  t.set(member.name, late);
  void answer.then(
    (v) => void (late.view = v),
    () => undefined,
  );
}

/** The question still running for this member (asked again, it is not asked twice). */
export const pendingLate = (ctx: KindContext, name: string): Promise<MemberView> | undefined => {
  const late = byAttempt.get(ctx)?.get(name);
  return late !== undefined && late.view === undefined ? late.answer : undefined;
};

/** The step fenced this member in this attempt: verify counts it (waits for its answer), lost or not. */
export function actedOnMember(ctx: KindContext, name: string): void {
  const set = actedOn.get(ctx) ?? new Set<string>();
  actedOn.set(ctx, set);
  set.add(name);
}

/** The member answered (late) in this attempt, or the step acted on it: it is alive, and is waited for from now on. */
export const knownAlive = (ctx: KindContext, name: string): boolean => {
  const v = byAttempt.get(ctx)?.get(name)?.view;
  return (v !== undefined && v.role !== 'unreachable') || actedOn.get(ctx)?.has(name) === true;
};

/** Lost members asked on after the survivors had answered (whether their answer has come since or not). */
export const askedLate = (ctx: KindContext): PgMember[] => [...(byAttempt.get(ctx)?.values() ?? [])].map((l) => l.member);

/**
 * When `name`'s late answer comes (or at once, if it has), `then` runs with it; observe waits for what it
 * then does (a fence), never for the answer itself (a silent member is not waited for).
 */
export function onLateAnswer(ctx: KindContext, name: string, then: (v: MemberView) => Promise<void>): void {
  const late = byAttempt.get(ctx)?.get(name);
  if (late === undefined) return;
  void late.answer.then(
    (v) => {
      late.fence = then(v);
      late.fence.catch(() => undefined); // its failure is observe's to report
    },
    () => undefined,
  );
}

/** Wait for the fences started on late answers; the first one that failed fails the observe. */
export async function lateFences(ctx: KindContext): Promise<void> {
  const fences = [...(byAttempt.get(ctx)?.values() ?? [])].flatMap((l) => (l.fence ? [l.fence] : []));
  const failed = (await Promise.allSettled(fences)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * The observed state with the late answers that came since: a live old primary that answered after the
 * survivors is the primary again (the promotion fences it first, as if it had answered at once).
 */
export function withLateAnswers(s: DbPrimaryState, ctx: KindContext): DbPrimaryState {
  const t = byAttempt.get(ctx);
  if (t === undefined) return s;
  const members = s.members.map((m) => t.get(m.name)?.view ?? m);
  if (members.every((m, i) => m === s.members[i])) return s;
  return { ...s, ...stateOf(members) };
}
