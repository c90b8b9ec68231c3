import { badDurations } from '../duration-params.js';
import { defineKind } from '../define-kind.js';
import { assessDb } from './assess.js';
import { decideDb, describeDb, holdsDb } from './decide.js';
import { awaitElection, watchElection } from './election-watch.js';
import { resolveMember } from './local.js';
import { observeDb } from './observe.js';
import type { KindContext, ParamProblem } from '../../model/kind.js';
import { dbPrimarySchema, type DbPrimaryParams, type DbPrimaryState } from './params.js';
import { failBack, promote } from './switchover.js';
import { loadPgClient } from './client.js';

export type { DbPrimaryParams, DbPrimaryState } from './params.js';

/** Members with dataDir/binDir resolved against the runbook's folder. */
const resolved = async (p: DbPrimaryParams, ctx: KindContext): Promise<DbPrimaryParams> => ({
  ...p,
  members: await Promise.all(p.members.map((m) => resolveMember(m, ctx.baseDir))),
});

/**
 * The member to fail back to: the primary observed before; or, when none answered (a cut data center),
 * the only member that was not a standby (it was the primary the cut took away).
 */
function formerPrimary(before: DbPrimaryState): string | null {
  if (before.primary !== null) return before.primary;
  const others = before.members.filter((m) => m.role !== 'standby');
  return others.length === 1 ? (others[0]?.name ?? null) : null;
}

export const dbPrimaryKind = defineKind<DbPrimaryParams, DbPrimaryState>({
  name: 'db.primary',
  description: 'PostgreSQL primary election check: wait for (or promote) a primary in the allowed data centers, refusing to lose data.',
  paramsSchema: dbPrimarySchema,
  outputNames: ['primary', 'primaryDc'],
  preload: loadPgClient,
  check(p) {
    const problems: ParamProblem[] = [];
    const names = new Set<string>();
    p.members.forEach((m, i) => {
      if (names.has(m.name)) problems.push({ path: ['members', i, 'name'], message: `duplicate member name "${m.name}"` });
      names.add(m.name);
      if (!m.url && m.port === undefined) problems.push({ path: ['members', i], message: 'give url or host/port' });
    });
    problems.push(
      ...badDurations([
        ['lagWait', p.lagWait],
        ['connectTimeout', p.connectTimeout],
      ]),
    );
    if (
      typeof p.promote === 'string' &&
      p.promote !== 'true' &&
      p.promote !== 'false' &&
      !p.promote.includes('${') &&
      !names.has(p.promote)
    ) {
      problems.push({ path: ['promote'], message: `"${p.promote}" is not a member (${[...names].join(', ')})` });
    }
    return problems;
  },
  async observe(p, ctx) {
    const s = await observeDb(await resolved(p, ctx), ctx);
    watchElection(p, s, ctx);
    return s;
  },
  decide: decideDb,
  async apply(p, change, ctx) {
    const target = change.desired.primary;
    if (target === null) {
      // No promotion asked: the database elects its own primary (Patroni, OceanBase...); verify waits for it.
      ctx.progress(`waiting for the database to elect a primary in ${p.expectDcs.join(', ')}`);
      awaitElection(ctx);
      return;
    }
    await promote(await resolved(p, ctx), change.current, target, ctx);
  },
  holds: (_p, desired, current) => holdsDb(desired, current),
  async rollback(p, change, ctx) {
    const want = formerPrimary(change.desired);
    if (want === null) return; // no single member was (or could have been) primary before: nothing to go back to
    await failBack(await resolved(p, ctx), change.current, want, ctx);
  },
  reversible: (p) => p.members.every((m) => m.dataDir !== undefined),
  assess: assessDb,
  describe: (_p, before, after) => describeDb(before, after),
  outputs: (_p, s) => ({ primary: s.primary, primaryDc: s.primaryDc }),
  verifyIntervalMs: 100,
});
