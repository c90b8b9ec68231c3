import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETCD_MIN_LEASE_MS } from '../../../src/state/store-url.js';
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
// the shortest lease drctl accepts with etcd: a 2 s lease could not be kept across an election under load
const LEASE_MS = ETCD_MIN_LEASE_MS;
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
      const lease = await store.acquireLock('k', holder('r'), LEASE_MS);
      const j = await store.openJournal('r', lease);
      let seq = 0;
      for (const m of etcd.members) {
        etcd.freeze(m.name);
        try {
          const frozenAt = Date.now();
          // keep writing until well past the lease's TTL since the freeze: each write proves the lease still held
          await waitFor(
            async () => {
              await j.append(record('r', ++seq));
              return Date.now() > frozenAt + 2 * LEASE_MS;
            },
            `writes past the lease with ${m.name} frozen`,
            60_000,
            200,
          );
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

  it('a lease etcd ends while it is proven alive (a leader paused past it does so on resuming) is recovered: same token, no write lost; not after unlock --force', () =>
    withStore(async (store) => {
      const prefix = `f${n}`;
      const lease = await store.acquireLock('k', holder('r'), LEASE_MS);
      const j = await store.openJournal('r', lease);
      await j.append(record('r', 1));
      const raw = new Etcd3({ hosts: etcd.hosts.split(',').map((h) => `http://${h}`) });
      try {
        const lockKv = async () => (await raw.get(`${prefix}/lock/k`).exec()).kvs[0];
        // what etcd < 3.4.31 does when a leader that was paused longer than the lease resumes (etcd issue
        // 15247): it revokes the lease although the new leader renewed it; lock and owner go, held/ and token/ stay
        const first = (await lockKv())?.lease ?? '';
        await raw.leaseClient.leaseRevoke({ ID: first });
        // the keeper sees the lease gone within its next keepalive and binds the keys to a new lease
        await waitFor(async () => {
          const kv = await lockKv();
          return kv !== undefined && kv.lease !== first;
        }, 'the lock to be reclaimed');
        expect(JSON.parse((await lockKv())?.value.toString() ?? '{}')).toMatchObject({ runId: 'r', token: 1 });
        // and a write that meets the gap first reclaims before it writes
        const second = (await lockKv())?.lease ?? '';
        await raw.leaseClient.leaseRevoke({ ID: second });
        await j.append(record('r', 2));
        expect((await lockKv())?.lease).not.toBe(second);
        expect(lease.lapsed?.aborted).toBe(false);
        await expect(lease.renew()).resolves.toMatchObject({ runId: 'r', token: 1 });
        await expect(store.readLock('k')).resolves.toMatchObject({ runId: 'r', token: 1 });
        // a forced unlock removes the holder's copy as well: no recovery, the holder is fenced out
        await store.forceUnlock('k');
        await expect(j.append(record('r', 3))).rejects.toMatchObject({ code: 'fenced-out' });
        await waitFor(() => lease.lapsed?.aborted, 'the holder to stop');
        expect(lease.lapsed?.reason).toMatchObject({ code: 'fenced-out' });
        expect(await lockKv()).toBeUndefined();
      } finally {
        raw.close();
      }
      expect((await store.readJournal('r')).records.map((r) => r.seq)).toEqual([1, 2]);
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
