import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/state/open-store.js';
import { JOURNAL_SCHEMA_VERSION, type JournalRecord, type RunMeta } from '../../../src/model/records.js';
import { holdLock, openRunHandle } from '../../../src/state/run-handle.js';
import { livenessOf, type StateStore } from '../../../src/state/store.js';
import { realClock } from '../../../src/util/clock.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { expectInspectionsKept } from '../../helpers/inspection-records.js';
import { expectSafetyControlsKept } from '../../helpers/safety-controls.js';

let redis: TestRedis | undefined;
let tmp: { dir: string; cleanup: () => Promise<void> } | undefined;
beforeAll(async () => {
  redis = await startRedis();
  tmp = await makeTmpDir('drctl-store-');
});
afterAll(async () => {
  await redis?.stop();
  await tmp?.cleanup();
});

const holder = (runId: string) => ({ runId, mode: 'run', user: 'u', host: 'elsewhere', pid: 1, since: new Date().toISOString() });
const meta = (runId: string): RunMeta => ({
  schemaVersion: JOURNAL_SCHEMA_VERSION,
  runId,
  mode: 'run',
  runbook: { name: 'x', file: '/x.yaml', hash: 'h' },
  lockScope: 'scope',
  status: 'running',
  startedAt: new Date().toISOString(),
  endedAt: undefined,
  durationMs: undefined,
  host: 'h',
  user: 'u',
  pid: 1,
  summary: undefined,
});
const record = (runId: string, seq: number): JournalRecord =>
  ({ type: 'step.queued', stepId: 'a', runId, at: new Date().toISOString(), schemaVersion: JOURNAL_SCHEMA_VERSION, seq }) as JournalRecord;

describe.each([
  ['file', () => `${tmp?.dir}/state`],
  ['redis', () => `${redis?.url}/0?prefix=contract:`],
])('the %s store', (_kind, stateOf) => {
  const withStore = async (fn: (s: StateStore) => Promise<void>) => {
    const s = await openStateStore(stateOf());
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  it('one holder at a time; an expired lease is taken over with a bigger token, and the old token can no longer write, renew or release', () =>
    withStore(async (store) => {
      const held = await store.acquireLock('held', holder('r0'), 60_000);
      await expect(store.acquireLock('held', holder('r2'), 10_000)).rejects.toMatchObject({
        exitCode: 6,
        code: 'lock-held',
        details: { scope: 'held', holder: { runId: 'r0' } },
        message: expect.stringContaining('another run holds the lock "held": run r0 (run) by u@elsewhere pid 1 since'),
      });
      await held.release();
      // a lease of 1 ms: expired at once (a holder that stopped renewing); its token still writes until someone takes over
      const first = await store.acquireLock('scope', holder('r1'), 1);
      await store.createRun(meta('r1'), 'runbook text');
      const j1 = await store.openJournal('r1', first);
      await j1.append(record('r1', 1));
      await waitFor(async () => {
        const h = await store.readLock('scope');
        return h !== undefined && livenessOf(h) === 'expired';
      }, 'the lease to expire');
      const second = await store.acquireLock('scope', holder('r2'), 10_000);
      expect(second.token).toBeGreaterThan(first.token);
      expect(second.tookOver).toMatchObject({ why: 'expired', holder: { runId: 'r1', token: first.token } });
      await expect(j1.append(record('r1', 2))).rejects.toMatchObject({
        code: 'fenced-out',
        message: expect.stringContaining('now belongs to run r2'),
      });
      await expect(store.writeRunMeta({ ...meta('r1'), status: 'failed' }, first)).rejects.toMatchObject({ code: 'fenced-out' });
      await expect(first.renew()).rejects.toMatchObject({ code: 'fenced-out' });
      await first.release();
      expect((await store.readLock('scope'))?.runId).toBe('r2');
      expect((await store.readJournal('r1')).records.map((r) => r.seq)).toEqual([1]);
      expect((await store.readRunMeta('r1'))?.status).toBe('running');
      expect(await store.readRunbookCopy('r1')).toBe('runbook text');
      const renewed = await second.renew();
      expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now());
      await j1.close();
      await second.release();
      expect(await store.readLock('scope')).toBeUndefined();
    }));

  it('unlock --force removes any holder and returns it; tokens keep growing after it', () =>
    withStore(async (store) => {
      const a = await store.acquireLock('other', holder('r3'), 10_000);
      expect((await store.listLocks()).map((l) => l.scope)).toContain('other');
      expect(await store.forceUnlock('other')).toMatchObject({ runId: 'r3', token: a.token });
      await expect(a.renew()).rejects.toMatchObject({ code: 'fenced-out' });
      const b = await store.acquireLock('other', holder('r4'), 10_000);
      expect(b.token).toBe(a.token + 1);
      expect(b.tookOver).toBeUndefined();
      await b.release();
    }));

  it('the run log is the operational log, present with every store: what kinds say, never the events again', () =>
    withStore(async (store) => {
      const runId = `log-${Date.now()}`;
      const held = await holdLock(store, `log-scope-${runId}`, holder(runId), 10_000);
      const handle = await openRunHandle({
        store,
        runId,
        scope: `log-scope-${runId}`,
        held,
        clock: realClock,
        redact: (t) => t,
        listeners: [],
        create: { meta: { ...meta(runId), lockScope: `log-scope-${runId}` }, runbookText: 'x' },
      });
      await handle.emit({ type: 'step.queued', stepId: 'a' });
      handle.log.child({ stepId: 'a' }).warn({ addr: '127.0.0.1:7001' }, 'a password is configured but the server requires none');
      await handle.close();
      const lines = (await store.readRunLog(runId)).map(
        (l) => JSON.parse(l) as { msg: string; runId: string; stepId?: string; event?: unknown },
      );
      expect(lines.map((l) => l.msg)).toEqual(['run log opened', 'a password is configured but the server requires none']);
      expect(lines[1]).toMatchObject({ runId, stepId: 'a', addr: '127.0.0.1:7001' });
      expect(lines.some((l) => 'event' in l)).toBe(false);
      expect((await store.readJournal(runId)).records.map((r) => r.type)).toEqual(['step.queued']);
    }));

  it('keeps inspections beside runs: headers newest first for history, the whole record for report', () =>
    withStore(async (store) => {
      await expectInspectionsKept(store);
    }));

  it("keeps the safety controls (the lever, a runbook's pause) for every controller sharing the store", () =>
    withStore(async (store) => withStore((other) => expectSafetyControlsKept(store, other))));
});
