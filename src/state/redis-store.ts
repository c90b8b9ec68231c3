import type { Redis } from 'ioredis';
import { FencedOut, lockHeldBy, StoreUnreachable } from './errors.js';
import { parseJournalText } from './journal-file.js';
import type { InspectionMeta, InspectionRecord } from '../model/inspection.js';
import type { JournalRecord, RunMeta } from '../model/records.js';
import { parseControl } from './control-files.js';
import { inspectionMeta } from './inspection-files.js';
import { connectRedis, RedisUnreachable } from '../infra/redis-connect.js';
import { createRedisIO } from './redis-io.js';
import { ACQUIRE, APPEND_ADMIN, FENCED_WRITE, FORCE_UNLOCK, RELEASE, RENEW } from './redis-scripts.js';
import { hostIdentity } from '../infra/process-identity.js';
import { batchedLogSink, type LogSink } from '../infra/pino-logger.js';
import { livenessOf, type Fence, type LockHolder, type LockLease, type StateStore } from './store.js';
import { specLabel, type StoreSpec } from './store-url.js';

type Stored = Omit<LockHolder, 'expiresAt'> & { expiresAtMs: number };
const toHolder = (json: string): LockHolder | undefined => {
  if (!json) return undefined;
  const { expiresAtMs, ...rest } = JSON.parse(json) as Stored;
  return { ...rest, expiresAt: new Date(expiresAtMs).toISOString() };
};

/**
 * The shared store: PREFIX run:<id> (run record), runbook:<id> (its runbook copy), journal:<id> (a list,
 * one record per item), runs (sorted set: history), lock:<scope> (holder JSON with token and lease
 * expiry in server time), fence:<scope> (token counter), locks (set of scopes), audit (list), inspection:<id>
 * and inspection-meta:<id> (an inspection and its header), inspections (sorted set: their history),
 * control:<name> (a safety control: the lever, a runbook's pause).
 */
export async function openRedisStateStore(spec: Extract<StoreSpec, { kind: 'redis' | 'sentinel' }>): Promise<StateStore> {
  const label = specLabel(spec);
  const client: Redis = await connectRedis(spec).catch((e: unknown) => {
    throw e instanceof RedisUnreachable ? new StoreUnreachable(label, new Error(e.message)) : e;
  });
  const p = spec.prefix;
  const k = {
    lock: (s: string) => `${p}lock:${s}`,
    fence: (s: string) => `${p}fence:${s}`,
    locks: `${p}locks`,
    run: (id: string) => `${p}run:${id}`,
    runbook: (id: string) => `${p}runbook:${id}`,
    journal: (id: string) => `${p}journal:${id}`,
    runs: `${p}runs`,
    audit: `${p}audit`,
    log: (id: string) => `${p}log:${id}`,
    inspection: (id: string) => `${p}inspection:${id}`,
    inspectionMeta: (id: string) => `${p}inspection-meta:${id}`,
    inspections: `${p}inspections`,
    control: (name: string) => `${p}control:${name}`,
  };
  const redis = createRedisIO(client, label, spec.retryMs, spec.replicas);
  /** Reads and writes that may run twice: retried across a reconnect (redis-io.ts). */
  const io = <T>(fn: () => Promise<T>): Promise<T> => redis.run(fn);
  /** Writes that must not run twice: retried only when they certainly did not run. */
  const once = <T>(fn: () => Promise<T>): Promise<T> => redis.run(fn, { idempotent: false });
  const evalScript = (script: string, keys: readonly string[], args: readonly (string | number)[]) =>
    client.eval(script, keys.length, ...keys, ...args.map(String)) as Promise<unknown>;
  // idempotent: an append whose value is already the list's last item is not made again
  const fenced = (fence: Fence, target: string, op: 'rpush' | 'set', value: string): Promise<void> =>
    io(async () => {
      const [ok, cur] = (await evalScript(FENCED_WRITE, [k.lock(fence.scope), target], [fence.token, op, value, fence.runId])) as [
        number,
        string,
      ];
      if (ok !== 1) throw fencedOut(fence, cur);
      await redis.replicated();
    });
  const readLock = (scope: string) => io(async () => toHolder((await client.get(k.lock(scope))) ?? ''));

  return {
    label,
    acquireLock: async (scope, input, leaseMs) => {
      const current = await readLock(scope);
      // dead: on this machine (same host identity) and its process gone; the script re-checks the token
      const dead = current !== undefined && livenessOf(current) === 'dead';
      const [ok, json, previous] = await once(
        async () =>
          (await evalScript(
            ACQUIRE,
            [k.lock(scope), k.fence(scope), k.locks],
            [JSON.stringify({ ...input, hostId: hostIdentity() }), leaseMs, scope, dead ? current.token : ''],
          )) as [number, string, string],
      );
      const holder = toHolder(json) as LockHolder;
      if (ok !== 1) throw lockHeldBy(scope, holder);
      await io(() => redis.replicated()); // the fence counter and the lock survive a failover
      const prev = toHolder(previous);
      const fence: Fence = { scope, token: holder.token, runId: holder.runId };
      const lease: LockLease = {
        ...fence,
        holder,
        tookOver: prev && { holder: prev, why: dead && prev.token === current?.token ? 'dead' : 'expired' },
        renew: () =>
          io(async () => {
            const [renewed, cur] = (await evalScript(RENEW, [k.lock(scope)], [holder.token, leaseMs, holder.runId])) as [number, string];
            if (renewed !== 1) throw fencedOut(fence, cur);
            return toHolder(cur) as LockHolder;
          }),
        release: () => io(async () => void (await evalScript(RELEASE, [k.lock(scope)], [holder.token, holder.runId]))),
      };
      return lease;
    },
    readLock,
    listLocks: () =>
      io(async () => {
        const scopes = (await client.smembers(k.locks)).sort();
        const out: { scope: string; holder: LockHolder }[] = [];
        for (const scope of scopes) {
          const holder = await readLock(scope);
          if (holder) out.push({ scope, holder });
        }
        return out;
      }),
    forceUnlock: async (scope) => {
      const removed = toHolder(String(await once(() => evalScript(FORCE_UNLOCK, [k.lock(scope)], []))));
      await io(() => redis.replicated());
      return removed;
    },
    createRun: (meta, text) =>
      io(async () => {
        await client
          .multi()
          .set(k.runbook(meta.runId), text)
          .set(k.run(meta.runId), JSON.stringify(meta))
          .zadd(k.runs, Date.parse(meta.startedAt), meta.runId)
          .exec();
        await redis.replicated();
      }),
    writeRunMeta: (meta: RunMeta, fence?: Fence) =>
      fence
        ? fenced(fence, k.run(meta.runId), 'set', JSON.stringify(meta))
        : io(async () => void (await client.set(k.run(meta.runId), JSON.stringify(meta)))),
    readRunMeta: (runId) =>
      io(async () => {
        const json = await client.get(k.run(runId));
        return json ? (JSON.parse(json) as RunMeta) : undefined;
      }),
    readRunbookCopy: (runId) => io(async () => (await client.get(k.runbook(runId))) ?? undefined),
    listRuns: () =>
      io(async () => {
        const ids = await client.zrevrange(k.runs, 0, -1);
        if (ids.length === 0) return [];
        const metas = await client.mget(...ids.map(k.run));
        return metas.flatMap((m) => (m ? [JSON.parse(m) as RunMeta] : []));
      }),
    openJournal: async (runId, fence) => {
      // one append at a time, in order: a retried append never lands after a later one
      let last: Promise<void> = Promise.resolve();
      return {
        append: (record: JournalRecord) => {
          const next = last.catch(() => undefined).then(() => fenced(fence, k.journal(runId), 'rpush', JSON.stringify(record)));
          last = next;
          return next;
        },
        close: () => last.catch(() => undefined),
      };
    },
    readJournal: (runId) =>
      io(async () => {
        // a Redis list is never empty: no items means no journal (never created, or lost)
        const items = await client.lrange(k.journal(runId), 0, -1);
        return items.length === 0
          ? { records: [], corrupt: undefined, missing: true }
          : parseJournalText(items.map((l) => `${l}\n`).join(''));
      }),
    // one item per record: a Redis journal has no torn tail to repair
    appendUnfenced: async (runId, _scope, make) => {
      const seq = Number(await once(() => evalScript(APPEND_ADMIN, [k.journal(runId)], [JSON.stringify(make(0))])));
      await io(() => redis.replicated());
      return { seq, torn: undefined };
    },
    audit: (entry) => once(async () => void (await client.rpush(k.audit, JSON.stringify(entry)))),
    openRunLog: (runId) => redisLogSink(client, k.log(runId)),
    readRunLog: (runId) => io(() => client.lrange(k.log(runId), 0, -1)),
    saveInspection: (record: InspectionRecord) =>
      io(async () => {
        await client
          .multi()
          .set(k.inspection(record.id), JSON.stringify(record))
          .set(k.inspectionMeta(record.id), JSON.stringify(inspectionMeta(record)))
          .zadd(k.inspections, Date.parse(record.startedAt), record.id)
          .exec();
        await redis.replicated();
      }),
    listInspections: () =>
      io(async () => {
        const ids = await client.zrevrange(k.inspections, 0, -1);
        if (ids.length === 0) return [];
        return (await client.mget(...ids.map(k.inspectionMeta))).flatMap((m) => (m ? [JSON.parse(m) as InspectionMeta] : []));
      }),
    readInspection: (id) =>
      io(async () => {
        const json = await client.get(k.inspection(id));
        return json ? (JSON.parse(json) as InspectionRecord) : undefined;
      }),
    readControl: (name) => io(async () => parseControl(await client.get(k.control(name)))),
    writeControl: (name, value) =>
      io(async () => {
        if (value === undefined) await client.del(k.control(name));
        else await client.set(k.control(name), JSON.stringify(value));
        await redis.replicated();
      }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function fencedOut(fence: Fence, currentJson: string): FencedOut {
  const cur = toHolder(currentJson);
  return new FencedOut(
    fence.scope,
    fence.token,
    cur && { token: cur.token, runId: cur.runId, holder: `${cur.user}@${cur.host} pid ${cur.pid}` },
  );
}

/** A run's log keeps its last lines only: it is the operational log, not the record (the journal is). */
const RUN_LOG_MAX_LINES = 10_000;
/** A run's operational log in a Redis list, capped (batched writes: infra/pino-logger.ts batchedLogSink). */
function redisLogSink(client: Redis, key: string): LogSink {
  return batchedLogSink((lines) =>
    client
      .multi()
      .rpush(key, ...lines)
      .ltrim(key, -RUN_LOG_MAX_LINES, -1)
      .exec(),
  );
}
