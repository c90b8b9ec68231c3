import { randomBytes } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import { isDrctlError } from '../util/errors.js';
import { etcdErrorText, makeEtcdClient } from '../infra/etcd-client.js';
import { cmp, getKv, getPrefix, op, text, txn } from '../infra/etcd-ops.js';
import { etcdLabel, type EtcdSpec } from '../infra/etcd-url.js';
import { batchedLogSink } from '../infra/pino-logger.js';
import { createBatchJournal } from './batch-journal.js';
import { StoreUnreachable } from './errors.js';
import { acquireEtcdLock, fencedOut, heldKey, lockKeys, ownerValue, readEtcdLock, type EtcdLockContext } from './etcd-lock.js';
import { parseJournalText } from './journal-file.js';
import type { InspectionMeta, InspectionRecord } from '../model/inspection.js';
import type { JournalRecord, RunMeta } from '../model/records.js';
import { parseControl } from './control-files.js';
import { byNewest, inspectionMeta } from './inspection-files.js';
import type { Fence, LockHolder, StateStore } from './store.js';

/** Journal keys sort by seq: PREFIX/journal/RUN/000000000042. */
const seqKey = (seq: number): string => String(seq).padStart(12, '0');

/**
 * The store for several controllers, on an etcd cluster (Raft: every write below is committed by a
 * majority of members before it is acknowledged, so no leader change loses it). Keys under PREFIX:
 * lock/, owner/, token/, held/ (etcd-lock.ts), run/ID (run record), runbook/ID (its runbook copy),
 * journal/ID/SEQ (one record per key), audit/TIME-RANDOM, inspection/ID and inspection-meta/ID (an inspection
 * and its header), control/NAME (a safety control: the lever, a runbook's pause). Every fenced write is one transaction that
 * compares the scope's owner key (bound to the holder's lease) with the writer's token and run.
 */
export async function openEtcdStateStore(spec: EtcdSpec): Promise<StateStore> {
  const label = etcdLabel(spec);
  const client = await makeEtcdClient(spec);
  const p = spec.prefix;
  const k = {
    run: (id: string) => `${p}/run/${id}`,
    runs: `${p}/run/`,
    runbook: (id: string) => `${p}/runbook/${id}`,
    journal: (id: string) => `${p}/journal/${id}/`,
    audit: `${p}/audit/`,
    locks: `${p}/lock/`,
    log: (id: string) => `${p}/log/${id}/`,
    inspection: (id: string) => `${p}/inspection/${id}`,
    inspectionMeta: (id: string) => `${p}/inspection-meta/${id}`,
    inspectionMetas: `${p}/inspection-meta/`,
    control: (name: string) => `${p}/control/${name}`,
  };
  const io = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw isDrctlError(e) ? e : new StoreUnreachable(label, new Error(etcdErrorText(e)));
    }
  };
  let members: Promise<Etcd3[]> | undefined;
  const c: EtcdLockContext = {
    client,
    label,
    prefix: p,
    io,
    timeoutMs: spec.timeoutMs,
    held: new Map(),
    members: () => (members ??= Promise.all(spec.endpoints.map((e) => makeEtcdClient({ ...spec, endpoints: [e] }, { singleTry: true })))),
  };
  /**
   * Write only while the fence holds: one transaction comparing the scope's owner key. Retried writes put
   * the same keys again. A lock of this process whose keys etcd deleted before its lease could end is
   * recovered once (etcd-lease.ts) and the write tried again; nothing is written while the keys are gone.
   */
  const fenced = (fence: Fence, puts: readonly { key: string; value: string }[]): Promise<void> =>
    io(async () => {
      const keys = lockKeys(p, fence.scope);
      const attempt = () =>
        txn(
          client,
          [cmp.valueIs(keys.owner, ownerValue(fence))],
          puts.map((x) => op.put(x.key, x.value)),
          [op.get(keys.lock)],
        );
      let r = await attempt();
      const recover = c.held.get(heldKey(fence));
      if (!r.succeeded && r.reads[0] === undefined && recover && (await recover())) r = await attempt();
      if (!r.succeeded) throw fencedOut(fence, parseHolder(text(r.reads[0])));
    });
  const readLock = async (scope: string): Promise<LockHolder | undefined> =>
    readEtcdLock(c, await io(() => getKv(client, lockKeys(p, scope).lock)));

  return {
    label,
    acquireLock: (scope, input, leaseMs) => acquireEtcdLock(c, scope, input, leaseMs),
    readLock,
    listLocks: () =>
      io(async () => {
        const out: { scope: string; holder: LockHolder }[] = [];
        for (const kv of await getPrefix(client, k.locks)) {
          const holder = await readEtcdLock(c, kv);
          if (holder) out.push({ scope: decodeURIComponent(kv.key.toString('utf8').slice(k.locks.length)), holder });
        }
        return out.sort((a, b) => a.scope.localeCompare(b.scope));
      }),
    forceUnlock: (scope) =>
      io(async () => {
        const keys = lockKeys(p, scope);
        for (;;) {
          const kv = await getKv(client, keys.lock);
          const removed = await readEtcdLock(c, kv);
          // delete exactly the lock read (a new holder in between is not removed unseen), and end its lease
          const r = await txn(
            client,
            [cmp.createdAt(keys.lock, kv?.create_revision ?? 0)],
            [op.del(keys.lock), op.del(keys.owner), op.del(keys.held)],
          );
          if (!r.succeeded) continue;
          if (kv?.lease && kv.lease !== '0') await client.leaseClient.leaseRevoke({ ID: kv.lease }).catch(() => undefined);
          return removed;
        }
      }),
    createRun: (meta, runbookText) =>
      io(async () => {
        await txn(client, [], [op.put(k.runbook(meta.runId), runbookText), op.put(k.run(meta.runId), JSON.stringify(meta))]);
      }),
    writeRunMeta: (meta: RunMeta, fence?: Fence) =>
      fence
        ? fenced(fence, [{ key: k.run(meta.runId), value: JSON.stringify(meta) }])
        : io(async () => void (await client.kv.put({ key: Buffer.from(k.run(meta.runId)), value: Buffer.from(JSON.stringify(meta)) }))),
    readRunMeta: (runId) =>
      io(async () => {
        const json = text(await getKv(client, k.run(runId)));
        return json ? (JSON.parse(json) as RunMeta) : undefined;
      }),
    readRunbookCopy: (runId) => io(async () => text(await getKv(client, k.runbook(runId)))),
    listRuns: () =>
      io(async () => {
        const metas = (await getPrefix(client, k.runs)).flatMap((kv) => {
          try {
            return [JSON.parse(kv.value.toString('utf8')) as RunMeta];
          } catch {
            return [];
          }
        });
        return metas.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
      }),
    openJournal: async (runId, fence) =>
      createBatchJournal((records: readonly JournalRecord[]) =>
        fenced(
          fence,
          records.map((r) => ({ key: `${k.journal(runId)}${seqKey(r.seq)}`, value: JSON.stringify(r) })),
        ),
      ),
    readJournal: (runId) =>
      io(async () => {
        const kvs = await getPrefix(client, k.journal(runId));
        // no keys means no journal (never created, or lost): never to be taken for an empty one
        return kvs.length === 0
          ? { records: [], corrupt: undefined, missing: true }
          : parseJournalText(kvs.map((kv) => `${kv.value.toString('utf8')}\n`).join(''));
      }),
    appendUnfenced: (runId, _scope, make) =>
      io(async () => {
        for (;;) {
          const last = (await getPrefix(client, k.journal(runId), { last: true }))[0];
          const seq = (last ? Number(last.key.toString('utf8').slice(k.journal(runId).length)) : 0) + 1;
          const key = `${k.journal(runId)}${seqKey(seq)}`;
          // the next seq, taken only if nobody wrote it first
          const r = await txn(client, [cmp.createdAt(key, 0)], [op.put(key, JSON.stringify({ ...make(seq), seq }))]);
          if (r.succeeded) return { seq, torn: undefined };
        }
      }),
    audit: (entry) =>
      io(async () => {
        const key = `${k.audit}${entry.at}-${randomBytes(4).toString('hex')}`;
        await client.kv.put({ key: Buffer.from(key), value: Buffer.from(JSON.stringify(entry)) });
      }),
    // the run's operational log: one key per batch of lines, in time order (never waited for by a step)
    openRunLog: (runId) => {
      let n = 0;
      const tag = randomBytes(4).toString('hex');
      return batchedLogSink((lines) =>
        client.kv.put({
          key: Buffer.from(`${k.log(runId)}${seqKey(Date.now())}-${tag}-${seqKey(++n)}`),
          value: Buffer.from(lines.join('\n')),
        }),
      );
    },
    readRunLog: (runId) => io(async () => (await getPrefix(client, k.log(runId))).flatMap((kv) => kv.value.toString('utf8').split('\n'))),
    // one transaction: the header is there only with its record
    saveInspection: (record: InspectionRecord) =>
      io(async () => {
        await txn(
          client,
          [],
          [
            op.put(k.inspection(record.id), JSON.stringify(record)),
            op.put(k.inspectionMeta(record.id), JSON.stringify(inspectionMeta(record))),
          ],
        );
      }),
    listInspections: () =>
      io(async () =>
        (await getPrefix(client, k.inspectionMetas))
          .flatMap((kv) => {
            try {
              return [JSON.parse(kv.value.toString('utf8')) as InspectionMeta];
            } catch {
              return [];
            }
          })
          .sort(byNewest),
      ),
    readInspection: (id) =>
      io(async () => {
        const json = text(await getKv(client, k.inspection(id)));
        return json ? (JSON.parse(json) as InspectionRecord) : undefined;
      }),
    readControl: (name) => io(async () => parseControl(text(await getKv(client, k.control(name))))),
    writeControl: (name, value) =>
      io(async () => {
        if (value === undefined) await client.delete().key(k.control(name));
        else await client.put(k.control(name)).value(JSON.stringify(value));
      }),
    close: async () => {
      for (const m of (await members) ?? []) m.close();
      client.close();
    },
  };
}

function parseHolder(json: string | undefined): Omit<LockHolder, 'expiresAt'> | undefined {
  if (!json) return undefined;
  try {
    return JSON.parse(json) as Omit<LockHolder, 'expiresAt'>;
  } catch {
    return undefined;
  }
}
