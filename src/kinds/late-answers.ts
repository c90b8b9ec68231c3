import type { KindContext } from '../model/kind.js';

/**
 * Members in a lost data center (ctx.lost) that had not answered when the survivors had (askAll's `late`):
 * their question goes on (bounded by its own timeout and the step's signal), kept here for the step
 * attempt (the ctx), so a lost member that answers late is not taken for dead. A kind folds the answers
 * that came into what it acts on (a live old primary is fenced first, as if it had answered at once), and
 * acts on one that comes after its action (`onLateAnswer`: a second primary is fenced then, from the
 * step's next observe, `lateActions`, which waits for it); from then on the member is waited for like any
 * other (`knownAlive`: it answers, so that costs its answer's time, never a timeout). A member that never
 * answers is never waited for; an answer that comes after the step has ended is not acted on.
 */
/** A member's answer: `unreachable` is no answer. */
export interface ViewLike {
  readonly role: string;
}

interface Late {
  readonly name: string;
  readonly member: unknown;
  readonly answer: Promise<ViewLike>;
  /** Its answer, once it came. */
  view?: ViewLike;
  /** What the step is to do with its late answer (fence a second primary), and once started, doing. */
  then?: (v: ViewLike) => Promise<void>;
  action?: Promise<void>;
}

const byAttempt = new WeakMap<KindContext, Map<string, Late>>();
/** Members the step acted on in this attempt (a fenced old primary): alive, waited for from then on. */
const actedOn = new WeakMap<KindContext, Set<string>>();

function table(ctx: KindContext): Map<string, Late> {
  const t = byAttempt.get(ctx) ?? new Map<string, Late>();
  byAttempt.set(ctx, t);
  return t;
}

/** A lost member's question (`name`: its name or address), still running when the survivors had answered. */
export function keepLate<M, V extends ViewLike>(ctx: KindContext, name: string, member: M, answer: Promise<V>): void {
  const t = table(ctx);
  if (t.get(name)?.answer === answer) return;
  const late: Late = { name, member, answer };
  t.set(name, late);
  void answer.then(
    (v) => void (late.view = v),
    () => undefined,
  );
}

/** The question still running for this member (asked again, it is not asked twice). */
export const pendingLate = <V extends ViewLike>(ctx: KindContext, name: string): Promise<V> | undefined => {
  const late = byAttempt.get(ctx)?.get(name);
  return late !== undefined && late.view === undefined ? (late.answer as Promise<V>) : undefined;
};

/** The step acted on this member in this attempt (fenced it): verify counts it (waits for its answer), lost or not. */
export function actedOnMember(ctx: KindContext, name: string): void {
  const set = actedOn.get(ctx) ?? new Set<string>();
  actedOn.set(ctx, set);
  set.add(name);
}

/** The member answered (late) in this attempt, or the step acted on it: alive, waited for from now on. */
export const knownAlive = (ctx: KindContext, name: string): boolean => {
  const v = byAttempt.get(ctx)?.get(name)?.view;
  return (v !== undefined && v.role !== 'unreachable') || actedOn.get(ctx)?.has(name) === true;
};

/** Lost members asked on after the survivors had answered (whether their answer has come since or not). */
export const askedLate = <M>(ctx: KindContext): M[] => [...(byAttempt.get(ctx)?.values() ?? [])].map((l) => l.member as M);

/** The late answers that came in this attempt, by member name. */
export const lateViews = <V extends ViewLike>(ctx: KindContext): Map<string, V> =>
  new Map([...(byAttempt.get(ctx)?.values() ?? [])].flatMap((l) => (l.view ? [[l.name, l.view as V] as const] : [])));

/**
 * What to do with `name`'s late answer (a fence). It runs from the step's next observe (verify's polls:
 * `lateActions`) once the answer has come, never on its own: an answer that comes after the step has
 * ended is not acted on by it (a fail-back may be under way by then).
 */
export function onLateAnswer<V extends ViewLike>(ctx: KindContext, name: string, then: (v: V) => Promise<void>): void {
  const late = byAttempt.get(ctx)?.get(name);
  if (late !== undefined) late.then = then as (v: ViewLike) => Promise<void>;
}

/**
 * At the start of each observe of the attempt: start what the step does about the late answers that have
 * come, and wait for it (the members are alive: it costs their answers' time, never a timeout); a failed
 * one fails the observe. A question still pending is not waited for.
 */
export async function lateActions(ctx: KindContext): Promise<void> {
  const lates = [...(byAttempt.get(ctx)?.values() ?? [])];
  for (const l of lates) if (l.action === undefined && l.then !== undefined && l.view !== undefined) l.action = l.then(l.view);
  const actions = lates.flatMap((l) => (l.action ? [l.action] : []));
  const failed = (await Promise.allSettled(actions)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
