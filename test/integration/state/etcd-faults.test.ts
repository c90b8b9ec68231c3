import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/state/open-store.js';
import { JOURNAL_SCHEMA_VERSION, type JournalRecord } from '../../../src/model/records.js';
import type { StateStore } from '../../../src/state/store.js';
import { startTestEtcd, type TestEtcd } from '../../helpers/etcd-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

// Faults of the real cluster under a controller that holds the lock and writes its journal.
let etcd: TestEtcd;
beforeAll(async () => {
  etcd = await startTestEtcd(3);
});
afterAll(async () => {
  await etcd?.stop();
});

let n = 0;
const holder = (runId: string) => ({ runId, mode: 'run', user: 'u', host: 'elsewhere', pid: 1, since: new Date().toISOString() });
const record = (runId: string, seq: number): JournalRecord =>
  ({ type: 'step.queued', stepId: 'a', runId, at: new Date().toISOString(), schemaVersion: JOURNAL_SCHEMA_VERSION, seq }) as JournalRecord;
async function withStore(fn: (s: StateStore) => Promise<void>): Promise<void> {
  n++;
  const s = await openStateStore(etcd.url(`f${n}`));
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

describe('the etcd state store under faults', () => {
  it('SIGKILL of the leader in the middle of 100 appends: every record lands exactly once, in order', () =>
    withStore(async (store) => {
      const lease = await store.acquireLock('k', holder('r'), 5000);
      const j = await store.openJournal('r', lease);
      const leader = await etcd.leader();
      for (let seq = 1; seq <= 100; seq++) {
        if (seq === 30) await etcd.kill(leader.name);
        await j.append(record('r', seq));
      }
      await j.close();
      expect((await store.readJournal('r')).records.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(lease.lapsed?.aborted).toBe(false);
      await etcd.restart(leader.name);
      await lease.release();
    }));

  it('a frozen minority (each member in turn, longer than the lease) changes nothing: the lease holds and writes go on', () =>
    withStore(async (store) => {
      const lease = await store.acquireLock('k', holder('r'), 2000);
      const j = await store.openJournal('r', lease);
      let seq = 0;
      for (const m of etcd.members) {
        etcd.freeze(m.name);
        try {
          const frozenAt = Date.now();
          // keep writing until well past the lease's TTL since the freeze: each write proves the lease still held
          await waitFor(async () => {
            await j.append(record('r', ++seq));
            return Date.now() > frozenAt + 2 * 2000;
          }, `writes past the lease with ${m.name} frozen`, 30_000, 200);
        } finally {
          etcd.thaw(m.name);
        }
        expect(lease.lapsed?.aborted).toBe(false);
      }
      await expect(lease.renew()).resolves.toMatchObject({ runId: 'r' });
      await j.close();
      expect((await store.readJournal('r')).records.map((r) => r.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
      await lease.release();
    }));

  it('a frozen majority: writes fail as "state store unreachable" and the holder stops acting before its lease could end', () =>
    withStore(async (store) => {
      const lease = await store.acquireLock('k', holder('r'), 3000);
      const j = await store.openJournal('r', lease);
      await j.append(record('r', 1));
      const [m1, m2] = etcd.members;
      etcd.freeze(m1?.name ?? '');
      etcd.freeze(m2?.name ?? '');
      try {
        await expect(j.append(record('r', 2))).rejects.toMatchObject({ code: 'store-unreachable' });
        await waitFor(() => lease.lapsed?.aborted, 'the holder to give up its lease', 30_000);
        expect(lease.lapsed?.reason).toMatchObject({ code: 'store-unreachable' });
      } finally {
        etcd.thaw(m1?.name ?? '');
        etcd.thaw(m2?.name ?? '');
      }
      await etcd.leader();
      await lease.release().catch(() => undefined);
      expect((await store.readJournal('r')).records.map((r) => r.seq)[0]).toBe(1);
    }));
});
