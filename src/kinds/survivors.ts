import type { KindContext } from '../model/kind.js';

/**
 * Asking the members of a step (nodes, sentinels, database members, DNS servers) when some data centers
 * are known lost (ctx.lost): every member is asked at once, the step waits for the survivors, and a lost
 * member counts only if it answered by then. Nothing here shortens a timeout: a survivor is waited for
 * as long as its own timeout says; the gain is never waiting on the dead.
 */

/** The run's lost data centers (a context built without them, e.g. by a plug-in's own tests, has none). */
export const lostOf = (ctx: KindContext): ReadonlySet<string> => new Set((ctx as { lost?: readonly string[] }).lost ?? []);

/** The lost data center `dc` is in, or undefined (a member with no known data center is never lost). */
export const lostDc = (lost: ReadonlySet<string>, dc: string | null | undefined): string | undefined =>
  dc !== null && dc !== undefined && lost.has(dc) ? dc : undefined;

/** What a lost member that gave no answer by the time the survivors had answered is recorded with. */
export const notWaitedText = (dc: string): string =>
  `in lost data center ${dc}: no answer by the time the survivors answered (not waited for)`;

export interface AskAllOptions<M, R> {
  readonly members: readonly M[];
  /** A member's data center (null or undefined: unknown, always waited for). */
  readonly dcOf: (m: M) => string | null | undefined;
  readonly ctx: KindContext;
  /** Wait for the lost members too: their answer decides what is safe (an old primary's position). */
  readonly waitForLost?: boolean;
  /** Ask one member. A lost member's context has its own signal, aborted once the survivors have answered. */
  readonly ask: (m: M, ctx: KindContext) => Promise<R>;
  /** A lost member that had not answered by then. */
  readonly silent: (m: M, dc: string) => R;
  /** Told which members were not waited for (for a note). */
  readonly onNotWaited?: (members: readonly M[]) => void;
  /**
   * Keep asking the lost members not waited for: their questions are not stopped (each still ends by its
   * own timeout or the step's signal) and each one's answer-to-come is handed here, so a kind can act on a
   * lost member that answers late (a live old primary is fenced, not ignored). Without it they are stopped.
   */
  readonly late?: (member: M, answer: Promise<R>) => void;
}

/**
 * Ask every member at once; resolve once every member outside the lost data centers has answered (or
 * failed, by its own timeout), with the lost members' answers that came by then and `silent` for the rest
 * (their questions stopped, or handed to `late`).
 * When nothing is lost, when `waitForLost`, or when every member is lost (no survivor to decide on), every
 * member is waited for, as without this helper. Rejects when a survivor's question rejects (the step's
 * signal, a refusal) after stopping the lost ones.
 */
export async function askAll<M, R>(o: AskAllOptions<M, R>): Promise<R[]> {
  const lost = lostOf(o.ctx);
  const lostAt = o.members.map((m) => lostDc(lost, o.dcOf(m)));
  const survivors = lostAt.filter((dc) => dc === undefined).length;
  if (o.waitForLost === true || survivors === 0 || survivors === o.members.length) {
    return Promise.all(o.members.map((m) => o.ask(m, o.ctx)));
  }
  const stop = new AbortController();
  const keep = o.late !== undefined;
  const lostCtx: KindContext = keep ? o.ctx : { ...o.ctx, signal: AbortSignal.any([o.ctx.signal, stop.signal]) };
  const answers = new Map<number, R>();
  const asked = new Map<number, Promise<R>>();
  o.members.forEach((m, i) => {
    if (lostAt[i] === undefined) return;
    const answer = o.ask(m, lostCtx);
    asked.set(i, answer);
    void answer.then(
      (r) => void (stop.signal.aborted || answers.set(i, r)),
      () => undefined,
    );
  });
  let snapshot: Map<number, R>;
  try {
    await Promise.all(
      o.members.map(async (m, i) => {
        if (lostAt[i] === undefined) answers.set(i, await o.ask(m, o.ctx));
      }),
    );
    snapshot = new Map(answers);
  } finally {
    stop.abort(new Error('a lost data center: not waited for'));
  }
  const notWaited = o.members.filter((_m, i) => !snapshot.has(i));
  if (notWaited.length > 0) o.onNotWaited?.(notWaited);
  o.members.forEach((m, i) => {
    const answer = asked.get(i);
    if (answer !== undefined && !snapshot.has(i)) o.late?.(m, answer);
  });
  return o.members.map((m, i) => (snapshot.has(i) ? (snapshot.get(i) as R) : o.silent(m, lostAt[i] as string)));
}
