import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlPrimaryKind as kind, type MysqlPrimaryParams } from '../../../src/kinds/mysql-primary/index.js';
import { isStepError } from '../../../src/model/kind.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startGroup, type MariadbGroup } from '../../helpers/mariadb-group.js';
import { rollbackTo, runStepLife } from '../../helpers/step-life.js';
import { waitFor } from '../../helpers/wait-for.js';

// A cut primary on real MariaDB: db-hz-a frozen with SIGSTOP (clients see a silent server, as in a network
// cut), replicas db-sh-a and db-sz-a. The last test leaves db-hz-a diverged (it is not rebuilt).
let g: MariadbGroup;
beforeAll(async () => {
  g = await startGroup('drctl-mysql-cut-', ['hz-a', 'sh-a', 'sz-a']);
}, 120_000);
afterAll(async () => g?.stop());

const params = (over: Partial<MysqlPrimaryParams> = {}): MysqlPrimaryParams => ({
  members: g.members,
  expectDcs: ['sh-a'],
  promote: 'db-sh-a',
  expectedPrimary: 'db-hz-a',
  replication: { user: 'repl', password: g.password, connectRetry: 1 },
  connectTimeout: '500ms',
  ...over,
});
const readOnly = async (name: string): Promise<number> => Number((await g.sql(name, 'SELECT @@global.read_only AS ro'))[0]?.['ro']);
const source = async (name: string): Promise<number> => Number((await g.sql(name, 'SHOW SLAVE STATUS'))[0]?.['Master_Port']);
const portOf = (name: string): number => g.members.find((m) => m.name === name)?.port ?? 0;

/** Freeze db-hz-a for the length of fn (thawed in any case). */
async function whileFrozen<T>(fn: (thaw: () => Promise<void>) => Promise<T>): Promise<T> {
  let frozen = true;
  await g.signal('db-hz-a', 'SIGSTOP');
  const thaw = async (): Promise<void> => {
    if (frozen) await g.signal('db-hz-a', 'SIGCONT');
    frozen = false;
  };
  try {
    return await fn(thaw);
  } finally {
    await thaw();
  }
}

describe('mysql.primary with a cut (frozen) primary', () => {
  it('refuses without acceptDataLoss; promotes with it, stating the loss; after the thaw, rollback fences the twin and fails back', async () => {
    await g.sql('db-hz-a', "INSERT INTO lab.writes (dc) VALUES ('hz-a')", { user: 'app' });
    await waitFor(async () => (await kind.observe(params(), makeKindContext())).lag['db-sh-a'] === 0, 'db-sh-a to catch up');
    const r = await whileFrozen(async (thaw) => {
      const p = params();
      const ctx = makeKindContext({ timeoutMs: 30_000 });
      const s = await kind.observe(p, ctx);
      expect(s.members.find((m) => m.name === 'db-hz-a')).toMatchObject({ role: 'unreachable' });
      expect(s.primary).toBeNull();
      // observed again in the same attempt (verify's polls): still silent, said at once from the probe left behind
      expect((await kind.observe(p, ctx)).members.find((m) => m.name === 'db-hz-a')?.detail).toMatch(
        /: unreachable \(no answer for \d+ ms\)$/,
      );
      const d = kind.decide(p, s);
      if (d.action !== 'change') throw new Error('expected a change');
      const e = await kind.apply(p, { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
      expect(isStepError(e) && !e.retryable && e.unchanged).toBe(true);
      expect((e as Error).message).toBe(
        'refusing to promote db-sh-a: no primary answers (db-hz-a silent), so what it has not received cannot be known (set acceptDataLoss: true to promote anyway)',
      );
      expect(await readOnly('db-sh-a')).toBe(1);

      const promoted = await runStepLife(kind, { ...p, acceptDataLoss: true }, { timeoutMs: 30_000, skipRollback: true });
      expect(promoted.after).toMatchObject({ primary: 'db-sh-a', writable: ['db-sh-a'] });
      expect(promoted.again?.action).toBe('noop'); // the silent member cannot be checked: a run again changes nothing
      expect(promoted.ctx.notes).toMatchObject({
        dataLossAccepted: true,
        appliedGtid: expect.stringMatching(/^0-1-\d+$/),
        notRepointed: ['db-hz-a'],
      });
      expect(promoted.ctx.notes['unappliedGtids']).toMatch(/^unknown: whatever db-hz-a wrote after 0-1-\d+ \(it did not answer\)$/);
      expect(await source('db-sz-a')).toBe(portOf('db-sh-a'));
      await thaw();
      // thawed, db-hz-a never saw a fence: two writable primaries, which verify never accepts
      await waitFor(
        async () => (await kind.observe(p, promoted.ctx)).writable.length === 2,
        'the thawed db-hz-a to be seen writable again',
      );
      expect(
        kind.holds(
          p,
          promoted.decision.action === 'change' ? promoted.decision.desired : promoted.before,
          await kind.observe(p, makeKindContext()),
        ),
      ).toEqual({ ok: false, detail: '2 writable primaries (db-hz-a, db-sh-a), want exactly one' });
      return promoted;
    });
    const ctx = makeKindContext({ timeoutMs: 60_000 });
    const back = await rollbackTo(kind, params(), r.before, ctx);
    expect(back.primary).toBe('db-hz-a');
    expect(ctx.notes['fencedSplitBrain']).toBe('db-hz-a');
    expect([await readOnly('db-hz-a'), await readOnly('db-sh-a'), await readOnly('db-sz-a')]).toEqual([0, 1, 1]);
    expect([await source('db-sh-a'), await source('db-sz-a')]).toEqual([portOf('db-hz-a'), portOf('db-hz-a')]);
  });

  it('a thawed primary that took writes while cut off has diverged: rollback fences it and refuses, naming the GTIDs only it has', async () => {
    const r = await whileFrozen(async () => runStepLife(kind, params({ acceptDataLoss: true }), { timeoutMs: 30_000, skipRollback: true }));
    expect(r.after?.primary).toBe('db-sh-a');
    // the split brain's damage: a client still pointed at db-hz-a writes there
    await waitFor(async () => (await readOnly('db-hz-a')) === 0, 'db-hz-a to answer');
    await g.sql('db-hz-a', "INSERT INTO lab.writes (dc) VALUES ('split brain')", { user: 'app' });
    const ctx = makeKindContext({ timeoutMs: 60_000 });
    const e = await rollbackTo(kind, params(), r.before, ctx).catch((x: unknown) => x);
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect((e as Error).message).toMatch(
      /^db-hz-a has transactions db-sh-a never received \(0-1-\d+\): it diverged \(writes it took while cut off\); it stays read-only: rebuild it from db-sh-a$/,
    );
    expect(ctx.notes['divergedGtids']).toMatch(/^0-1-\d+$/);
    // one writable primary remains: the new one
    expect([await readOnly('db-hz-a'), await readOnly('db-sh-a')]).toEqual([1, 0]);
  });
});
