import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { openStateStore } from '../../../src/state/open-store.js';
import { JOURNAL_SCHEMA_VERSION, type JournalRecord, type RunMeta } from '../../../src/model/records.js';
import { openRunHandle } from '../../../src/state/run-handle.js';
import type { LockLease, StateStore } from '../../../src/state/store.js';
import { realClock } from '../../../src/util/clock.js';
import { startTestEtcd, type TestEtcd } from '../../helpers/etcd-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';
import { expectInspectionsKept } from '../../helpers/inspection-records.js';
import { expectSafetyControlsKept } from '../../helpers/safety-controls.js';

// The etcd store on a real 3-member cluster: the same contract as the folder and Redis stores
// (store-contract.test.ts), and what only a consensus store can promise.
let etcd: TestEtcd;
let raw: Etcd3;
beforeAll(async () => {
  etcd = await startTestEtcd(3);
  raw = new Etcd3({ hosts: etcd.hosts.split(','), defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 5000 }) });
});
afterAll(async () => {
  raw?.close();
  await etcd?.stop();
});

let n = 0;
const open = (): Promise<StateStore> => openStateStore(etcd.url(`t${n}`));
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
const leaseIdOf = async (prefix: string, scope: string): Promise<string> =>
  (await raw.get(`${prefix}/owner/${scope}`).exec()).kvs[0]?.lease ?? '';

describe('the etcd state store', () => {
  it('one holder at a time; a lapsed lease is taken over with a bigger token, and the old holder can no longer write, renew or release', async () => {
    n++;
    const [a, b] = [await open(), await open()]; // two controllers, two clients
    try {
      const first = await a.acquireLock('scope', holder('r1'), 2000);
      await expect(b.acquireLock('scope', holder('r2'), 2000)).rejects.toMatchObject({
        exitCode: 6,
        code: 'lock-held',
        details: { scope: 'scope', holder: { runId: 'r1', token: first.token } },
        message: expect.stringContaining('another run holds the lock "scope": run r1 (run) by u@elsewhere pid 1'),
      });
      await a.createRun(meta('r1'), 'runbook text');
      const j1 = await a.openJournal('r1', first);
      await j1.append(record('r1', 1));
      // the lease ends in etcd as if its controller had stopped renewing it (etcd deletes its keys)
      await raw.leaseClient.leaseRevoke({ ID: await leaseIdOf(`t${n}`, 'scope') });
      const second = await b.acquireLock('scope', holder('r2'), 2000);
      expect(second.token).toBe(first.token + 1);
      expect(second.tookOver).toMatchObject({ why: 'expired', holder: { runId: 'r1', token: first.token } });
      await expect(j1.append(record('r1', 2))).rejects.toMatchObject({
        code: 'fenced-out',
        message: expect.stringContaining('now belongs to run r2'),
      });
      await expect(a.writeRunMeta({ ...meta('r1'), status: 'failed' }, first)).rejects.toMatchObject({ code: 'fenced-out' });
      await expect(first.renew()).rejects.toMatchObject({ code: 'fenced-out' });
      // the old holder's lease watch says so by itself, without a write
      await waitFor(() => first.lapsed?.aborted, 'the old lease to be seen as lost');
      expect(first.lapsed?.reason).toMatchObject({ code: 'fenced-out' });
      await first.release();
      expect((await b.readLock('scope'))?.runId).toBe('r2');
      expect((await b.readJournal('r1')).records.map((r) => r.seq)).toEqual([1]);
      expect((await b.readRunMeta('r1'))?.status).toBe('running');
      expect(await b.readRunbookCopy('r1')).toBe('runbook text');
      const renewed = await second.renew();
      expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now());
      await second.release();
      expect(await b.readLock('scope')).toBeUndefined();
      expect(second.lapsed?.aborted).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('unlock --force removes any holder and returns it; tokens keep growing after it; the audit record is kept', async () => {
    n++;
    const store = await open();
    try {
      const a = await store.acquireLock('other', holder('r3'), 10_000);
      expect((await store.listLocks()).map((l) => l.scope)).toEqual(['other']);
      expect(await store.forceUnlock('other')).toMatchObject({ runId: 'r3', token: a.token });
      await expect(a.renew()).rejects.toMatchObject({ code: 'fenced-out' });
      const b = await store.acquireLock('other', holder('r4'), 10_000);
      expect(b.token).toBe(a.token + 1);
      expect(b.tookOver).toBeUndefined();
      await store.audit({ at: new Date().toISOString(), action: 'unlock.forced', scope: 'other', by: 'u@h', removed: a.holder });
      const audit = await raw.getAll().prefix(`t${n}/audit/`).strings();
      expect(Object.values(audit).map((v) => JSON.parse(v) as { scope: string })).toMatchObject([
        { scope: 'other', removed: { runId: 'r3' } },
      ]);
      await b.release();
    } finally {
      await store.close();
    }
  });

  it('N controllers at once: exactly one gets the lock, the others are refused naming it', async () => {
    n++;
    const stores = await Promise.all(Array.from({ length: 6 }, () => open()));
    try {
      const results = await Promise.allSettled(stores.map((s, i) => s.acquireLock('race', holder(`c${i}`), 5000)));
      const won = results.filter((r): r is PromiseFulfilledResult<LockLease> => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const winner = won[0]?.value.runId;
      for (const r of results.filter((x) => x.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'lock-held', details: { holder: { runId: winner } } });
      }
      await won[0]?.value.release();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('journal: records in order, each once; an admin record takes the next seq; history newest first', async () => {
    n++;
    const store = await open();
    try {
      const lease = await store.acquireLock('j', holder('run-1'), 5000);
      await store.createRun(meta('run-1'), 'text');
      const j = await store.openJournal('run-1', lease);
      // more records than one read returns (it is paged): all of them, in order, each once
      const N = 1234;
      await Promise.all(Array.from({ length: N }, (_, i) => j.append(record('run-1', i + 1), { lazy: i % 3 !== 0 })));
      await j.close();
      expect((await store.readJournal('run-1')).records.map((r) => r.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      expect(
        await store.appendUnfenced(
          'run-1',
          'j',
          (seq) => ({ ...record('run-1', seq), type: 'run.interrupted', signal: 'x' }) as JournalRecord,
        ),
      ).toEqual({ seq: N + 1, torn: undefined });
      expect((await store.readJournal('run-10')).missing).toBe(true);
      await store.createRun({ ...meta('run-2'), startedAt: new Date(Date.now() + 1000).toISOString() }, 'text');
      expect((await store.listRuns()).map((m) => m.runId)).toEqual(['run-2', 'run-1']);
      await lease.release();
    } finally {
      await store.close();
    }
  });

  it('keeps inspections beside runs, as the other stores do (one transaction: the header only with its record)', async () => {
    n++;
    const store = await open();
    try {
      await expectInspectionsKept(store);
    } finally {
      await store.close();
    }
  });

  it("keeps the safety controls (the lever, a runbook's pause), seen by every controller, as the other stores do", async () => {
    n++;
    const [store, other] = [await open(), await open()];
    try {
      await expectSafetyControlsKept(store, other);
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });

  it('keeps the run log (the operational log, never the events) with the run, as the other stores do', async () => {
    n++;
    const store = await open();
    try {
      const runId = `log-${n}`;
      const handle = await openRunHandle({
        store,
        runId,
        scope: `log-${n}`,
        holder: holder(runId),
        leaseMs: 10_000,
        clock: realClock,
        redact: (t) => t,
        listeners: [],
        create: { meta: { ...meta(runId), lockScope: `log-${n}` }, runbookText: 'x' },
      });
      await handle.emit({ type: 'step.queued', stepId: 'a' });
      handle.log.child({ stepId: 'a' }).warn({ addr: '127.0.0.1:7001' }, 'a password is configured but the server requires none');
      await handle.close();
      const lines = (await store.readRunLog(runId)).map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).toEqual(['run log opened', 'a password is configured but the server requires none']);
      expect((await store.readJournal(runId)).records.map((r) => r.type)).toEqual(['step.queued']);
    } finally {
      await store.close();
    }
  });
});
