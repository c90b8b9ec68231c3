import type pg from 'pg';
import { parseDuration } from '../../util/duration.js';
import { runCommand } from '../../infra/exec.js';
import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { readNode, withPg } from './client.js';
import { sameAttempt } from './reuse.js';
import { controlData, isManaged, isRunning, rewindAsStandby, start, stopFast } from './local.js';
import { connectTimeoutMs, observeMember } from './observe.js';
import { actedOnMember, askedLate, onLateAnswer } from '../late-answers.js';
import { withLateAnswers } from './late.js';
import { isTrue, lagOf, type DbPrimaryParams, type DbPrimaryState, type MemberView, type PgMember } from './params.js';

const memberOf = (p: DbPrimaryParams, name: string): PgMember => {
  const m = p.members.find((x) => x.name === name);
  if (!m) throw stepError(`db.primary: no member named ${name}`, { retryable: false });
  return m;
};

/**
 * Promote `targetName`. When the current primary answers, it is fenced first (fast shutdown, needs its
 * dataDir) and RPO 0 is proven: the standby must replay up to the fenced primary's final checkpoint
 * within lagWait, else the step refuses (and restarts the old primary) unless acceptDataLoss. With no
 * primary answering, the lag cannot be proven and promotion needs acceptDataLoss. A fenced managed old
 * primary then rejoins as a standby of the new one (pg_rewind).
 */
export async function promote(p: DbPrimaryParams, observed: DbPrimaryState, targetName: string, ctx: KindContext): Promise<void> {
  const started = ctx.clock.monotonic();
  // a lost member that answered after the survivors did is not dead: a live old primary is fenced first
  const s = withLateAnswers(observed, ctx);
  if (s !== observed)
    ctx.note(
      'membersAnsweredLate',
      s.members.filter((m, i) => m !== observed.members[i]).map((m) => m.name),
    );
  const target = memberOf(p, targetName);
  const view = s.members.find((m) => m.name === targetName);
  if (view?.role !== 'standby') {
    throw stepError(
      `postgres ${targetName}: role is ${view?.role ?? 'unknown'}${view?.detail ? ` (${view.detail})` : ''}, want a standby to promote`,
      { retryable: view?.role === 'unreachable' },
    );
  }
  const old = s.primary ? memberOf(p, s.primary) : undefined;
  const lossOk = isTrue(p.acceptDataLoss);
  let fenced: (PgMember & { dataDir: string }) | undefined;
  // once a primary is fenced, every wait until the promotion is sent ends RESTART_RESERVE_MS early
  let early: KindContext = ctx;
  if (old) {
    if (!isManaged(old)) {
      throw stepError(
        `postgres ${old.name} is still primary and answers: promoting ${targetName} would make two primaries; give ${old.name} a dataDir so drctl can fence it, or stop it first`,
        { retryable: false },
      );
    }
    // fencing stops writes; if the step cannot finish, the old primary must be started again in time
    const left = ctx.remainingMs?.() ?? Number.POSITIVE_INFINITY;
    if (left < 2 * RESTART_RESERVE_MS) {
      throw stepError(
        `refusing to fence ${old.name}: the step has ${Math.round(left)}ms left, want at least ${2 * RESTART_RESERVE_MS}ms (to prove the lag and still restart ${old.name} if it is not zero): raise the step's timeout`,
        { retryable: false, unchanged: true },
      );
    }
    // the waits end RESTART_RESERVE_MS before the step's deadline, so a restart still fits inside the step
    early = sameAttempt(
      {
        ...ctx,
        signal: Number.isFinite(left)
          ? AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.floor(left - RESTART_RESERVE_MS))])
          : ctx.signal,
      },
      ctx,
    );
    let lag: number | undefined;
    try {
      ctx.progress(`fencing ${old.name} (fast shutdown)`);
      fenced = old;
      actedOnMember(ctx, old.name);
      await stopFast(old, ctx);
      const final = await controlData(old, ctx);
      const waitMs = Math.min(
        parseDuration(p.lagWait ?? '5s') ?? 5000,
        (ctx.remainingMs?.() ?? Number.POSITIVE_INFINITY) - RESTART_RESERVE_MS,
      );
      lag = await waitReplay(p, target, final.checkpointLsn, early, Math.max(0, waitMs));
    } catch (e) {
      throw await afterRestart(old, ctx, e);
    }
    ctx.note('lagBytes', lag ?? null);
    if (lag === undefined && !lossOk) {
      throw await afterRestart(
        old,
        ctx,
        stepError(
          `refusing to promote ${targetName}: its lag behind ${old.name} could not be read within the step's time (set acceptDataLoss: true to promote anyway)`,
          { retryable: false },
        ),
      );
    }
    if (lag !== undefined && lag > (p.maxLagBytes ?? 0) && !lossOk) {
      throw await afterRestart(
        old,
        ctx,
        stepError(
          `refusing to promote ${targetName}: ${lag} bytes behind ${old.name} after waiting ${p.lagWait ?? '5s'} (or the step's time left), want ≤ ${p.maxLagBytes ?? 0} (set acceptDataLoss: true to promote anyway)`,
          { retryable: false },
        ),
      );
    }
  } else {
    const stopped = s.members.find((m) => m.role === 'stopped' && m.name !== targetName && m.lsn);
    const lag = stopped ? lagOf(stopped.lsn, view.lsn) : null;
    ctx.note('lagBytes', lag);
    if ((lag === null || lag > (p.maxLagBytes ?? 0)) && !lossOk) {
      const why = lag === null ? 'no primary answers, so its lag cannot be proven zero' : `${lag} bytes behind ${stopped?.name ?? ''}`;
      throw stepError(`refusing to promote ${targetName}: ${why} (set acceptDataLoss: true to promote anyway)`, { retryable: false });
    }
  }
  ctx.progress(`promoting ${targetName}`);
  let issued = false;
  try {
    // fenced: the promotion ends early too (a frozen target), so the restart of the fenced one fits in the step
    await withPg(target, connectTimeoutMs(p), early.signal, (c) => promoteAndWait(c, early, () => (issued = true)), {
      reuse: ctx,
      fresh: true,
    });
  } catch (e) {
    // not promoted (pg_promote never sent): the fenced primary goes back; once sent, two primaries could follow
    if (fenced && !issued) throw await afterRestart(fenced, ctx, e);
    throw e;
  }
  ctx.note('electionMs', Math.round(ctx.clock.monotonic() - started));
  fenceWhenAnswering(p, target, old?.name, ctx);
  if (fenced) await rejoin(p, fenced, target, ctx);
}

/**
 * Promoted while members in a lost data center were still being asked (not waited for): one whose answer
 * came during the promotion, or comes while the step verifies, as a primary is alive after all, a second
 * primary. Verify's next observe fences it (fast shutdown) and it rejoins as a standby of the new primary
 * (late-answers.ts); an answer after the step has ended is not acted on (a fail-back may be running). One drctl cannot fence (no dataDir) fails the step: two primaries, said so. One that never
 * answers is not waited for (a cut or frozen member): if it comes back as a primary, the fail-back (or
 * the runbook's own fence) deals with it, as with any old primary that was unreachable.
 */
function fenceWhenAnswering(p: DbPrimaryParams, target: PgMember, fencedFirst: string | undefined, ctx: KindContext): void {
  for (const m of askedLate<PgMember>(ctx).filter((x) => x.name !== fencedFirst && x.name !== target.name)) {
    onLateAnswer<MemberView>(ctx, m.name, async (v) => {
      if (v.role !== 'primary') return;
      if (!isManaged(m))
        throw stepError(
          `postgres ${m.name} (lost data center ${m.dc}) answered after ${target.name} was promoted: it is a primary too (two primaries); give it a dataDir so drctl can fence it, or stop it now`,
          { retryable: false },
        );
      ctx.progress(
        `${m.name} (lost data center ${m.dc}) answered after ${target.name} was promoted, as a primary: fencing it (fast shutdown)`,
      );
      ctx.note('fencedAfterPromotion', m.name);
      actedOnMember(ctx, m.name);
      await stopFast(m, ctx);
      await rejoin(p, m, target, ctx);
    });
  }
}

/**
 * pg_promote(false), then poll pg_is_in_recovery() every 10 ms until the standby is primary (about 40 ms).
 * pg_promote(true) would wait too, but checks only every 100 ms: a tenth of a second on every election.
 */
async function promoteAndWait(c: pg.Client, ctx: KindContext, sending: () => void): Promise<void> {
  sending();
  const r = await c.query<{ ok: boolean }>('select pg_promote(false) as ok');
  if (r.rows[0]?.ok !== true) throw stepError('pg_promote refused (not a standby any more?)');
  for (;;) {
    const q = await c.query<{ rec: boolean }>('select pg_is_in_recovery() as rec');
    if (q.rows[0]?.rec === false) return;
    await ctx.clock.sleep(10, ctx.signal);
  }
}

/** Time kept to start a fenced primary again when the step cannot go on (pg_ctl start -w). */
const RESTART_RESERVE_MS = 3_000;

/**
 * Start the fenced old primary again, whatever the step's deadline says (it may have fired: the context's
 * own exec would be cancelled with it), so a refused or failed promotion never leaves no primary. Returns
 * the error to throw: the step's own, with what became of the fenced primary.
 */
async function afterRestart(old: PgMember & { dataDir: string }, ctx: KindContext, cause: unknown): Promise<Error> {
  ctx.progress(`restarting ${old.name} (the promotion did not go ahead)`);
  const never = new AbortController().signal;
  const uncancelled: KindContext = {
    ...ctx,
    signal: never,
    exec: (argv, options) => runCommand(argv, { cwd: ctx.baseDir, ...options, signal: never }),
  };
  const failed = await start(old, uncancelled).then(
    () => undefined,
    (e: unknown) => (e as Error).message,
  );
  const why = cause instanceof Error ? cause.message : String(cause);
  const outcome =
    failed === undefined
      ? `${old.name} was restarted as primary`
      : `restarting ${old.name} FAILED too (${failed}): no primary is running, start it by hand`;
  // the step's own error, with what became of the fenced primary (never a claim that it was restarted when it was not)
  return stepError(`${why}; ${outcome}`, {
    retryable: failed === undefined && isStepError(cause) ? cause.retryable : failed === undefined,
    cause,
  });
}

/** Wait (up to waitMs) until target replays `lsn`; returns the remaining lag in bytes. */
async function waitReplay(
  p: DbPrimaryParams,
  target: PgMember,
  lsn: string,
  ctx: KindContext,
  waitMs = parseDuration(p.lagWait ?? '5s') ?? 5000,
): Promise<number | undefined> {
  const deadline = ctx.clock.monotonic() + waitMs;
  let lag: number | undefined;
  // ctx.signal ends the wait early (the time kept to restart the fenced primary): the last lag read is the answer
  for (;;) {
    try {
      const n = await withPg(target, connectTimeoutMs(p), ctx.signal, readNode, { reuse: ctx });
      lag = lagOf(lsn, n.lsn) ?? Number.MAX_SAFE_INTEGER;
      if (lag <= (p.maxLagBytes ?? 0) || ctx.clock.monotonic() > deadline) return lag;
      await ctx.clock.sleep(20, ctx.signal);
    } catch (e) {
      if (ctx.signal.aborted) return lag;
      throw e;
    }
  }
}

/** A stopped former primary becomes a standby of `primary` (CHECKPOINT so pg_rewind sees the new timeline). */
async function rejoin(p: DbPrimaryParams, m: PgMember & { dataDir: string }, primary: PgMember, ctx: KindContext): Promise<void> {
  ctx.progress(`rejoining ${m.name} as a standby of ${primary.name} (pg_rewind)`);
  await withPg(primary, connectTimeoutMs(p), ctx.signal, (c) => c.query('CHECKPOINT'), { reuse: ctx });
  await rewindAsStandby(m, primary, ctx);
  await start(m, ctx);
}

/**
 * Fail back: make `wantName` (the primary before the step) primary again without losing what the
 * current primary took: bring it back as a standby of the current primary (stop it if it still runs
 * as a diverged primary, pg_rewind, start), let it catch up, then switch over (fence the current
 * primary, wait for the final checkpoint, promote, rejoin the other as standby). Needs dataDir on both.
 */
export async function failBack(p: DbPrimaryParams, s: DbPrimaryState, wantName: string, ctx: KindContext): Promise<void> {
  const want = memberOf(p, wantName);
  const currentName = s.primary ?? s.primaries.find((n) => n !== wantName);
  if (!currentName)
    throw stepError(
      `db.primary rollback: no current primary to fail back from (${s.members.map((m) => `${m.name} ${m.role}`).join(', ')})`,
    );
  const current = memberOf(p, currentName);
  if (!isManaged(want) || !isManaged(current)) {
    throw stepError(`db.primary rollback needs dataDir for ${want.name} and ${current.name} (pg_rewind and pg_ctl run on this host)`, {
      retryable: false,
    });
  }
  let view = s.members.find((m) => m.name === wantName);
  if (view?.role === 'unreachable' && (await isRunning(want, ctx))) {
    throw stepError(`postgres ${want.name}: running but not answering (frozen or cut?): thaw it before failing back`);
  }
  if (view?.role === 'primary') {
    ctx.progress(`stopping ${want.name} (a diverged primary)`);
    await stopFast(want, ctx);
    view = { ...view, role: 'stopped' };
  }
  if (view?.role !== 'standby') await rejoin(p, want, current, ctx);
  ctx.progress(`waiting for ${want.name} to catch up with ${current.name}`);
  const head = await withPg(current, connectTimeoutMs(p), ctx.signal, readNode, { reuse: ctx });
  await waitReplay(p, want, head.lsn, ctx, Number.MAX_SAFE_INTEGER);
  const fresh = await observeMember(p, want, ctx);
  const state: DbPrimaryState = {
    ...s,
    primary: current.name,
    primaryDc: current.dc,
    primaries: [current.name],
    members: s.members.map((m) => (m.name === want.name ? fresh : m)),
  };
  await promote({ ...p, acceptDataLoss: false, lagWait: p.lagWait ?? '30s' }, state, want.name, ctx);
}
