import os from 'node:os';
import type { Redis } from 'ioredis';
import { isDrctlError, lockHeld } from '../util/errors.js';
import { FencedOut, StoreUnreachable } from './errors.js';
import { parseJournalText } from './journal-file.js';
import { heldMessage } from './lock-file.js';
import type { JournalRecord, RunMeta } from './records.js';
import { connectRedis } from './redis-connect.js';
import { ACQUIRE, FENCED_WRITE, FORCE_UNLOCK, RELEASE, RENEW } from './redis-scripts.js';
import { alive, type Fence, type LockHolder, type LockLease, type StateStore } from './store.js';
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
 * expiry in server time), fence:<scope> (token counter), locks (set of scopes), audit (list).
 */
export async function openRedisStateStore(spec: Extract<StoreSpec, { kind: 'redis' | 'sentinel' }>): Promise<StateStore> {
  const label = specLabel(spec);
  const client: Redis = await connectRedis(spec);
  const p = spec.prefix;
  const k = {
    lock: (s: string) => `${p}lock:${s}`, fence: (s: string) => `${p}fence:${s}`, locks: `${p}locks`,
    run: (id: string) => `${p}run:${id}`, runbook: (id: string) => `${p}runbook:${id}`, journal: (id: string) => `${p}journal:${id}`,
    runs: `${p}runs`, audit: `${p}audit`,
  };
  /** Any failure to talk to Redis becomes StoreUnreachable; our own errors pass through. */
  const io = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (isDrctlError(e)) throw e;
      throw new StoreUnreachable(label, e);
    }
  };
  const evalScript = (script: string, keys: readonly string[], args: readonly (string | number)[]) =>
    client.eval(script, keys.length, ...keys, ...args.map(String)) as Promise<unknown>;
  const fenced = (fence: Fence, target: string, op: 'rpush' | 'set', value: string): Promise<void> => io(async () => {
    const [ok, cur] = (await evalScript(FENCED_WRITE, [k.lock(fence.scope), target], [fence.token, op, value])) as [number, string];
    if (ok !== 1) throw fencedOut(fence, cur);
  });
  const readLock = (scope: string) => io(async () => toHolder((await client.get(k.lock(scope))) ?? ''));

  return {
    label,
    acquireLock: (scope, input, leaseMs) => io(async () => {
      const current = await readLock(scope);
      const dead = current && current.host === os.hostname() && current.pid !== process.pid && !alive(current.pid);
      const [ok, json, previous] = (await evalScript(ACQUIRE, [k.lock(scope), k.fence(scope), k.locks], [JSON.stringify(input), leaseMs, scope, dead ? current.token : ''])) as [number, string, string];
      const holder = toHolder(json) as LockHolder;
      if (ok !== 1) throw lockHeld(heldMessage(scope, holder), 'wait for it to finish, or inspect it with `drctl status`');
      const prev = toHolder(previous);
      const lease: LockLease = {
        scope, token: holder.token, holder,
        tookOver: prev && { holder: prev, why: dead && prev.token === current?.token ? 'dead' : 'expired' },
        renew: () => io(async () => {
          const [renewed, cur] = (await evalScript(RENEW, [k.lock(scope)], [holder.token, leaseMs])) as [number, string];
          if (renewed !== 1) throw fencedOut({ scope, token: holder.token }, cur);
          return toHolder(cur) as LockHolder;
        }),
        release: () => io(async () => void (await evalScript(RELEASE, [k.lock(scope)], [holder.token]))),
      };
      return lease;
    }),
    readLock,
    listLocks: () => io(async () => {
      const scopes = (await client.smembers(k.locks)).sort();
      const out: { scope: string; holder: LockHolder }[] = [];
      for (const scope of scopes) {
        const holder = await readLock(scope);
        if (holder) out.push({ scope, holder });
      }
      return out;
    }),
    forceUnlock: (scope) => io(async () => toHolder(String(await evalScript(FORCE_UNLOCK, [k.lock(scope)], [])))),
    createRun: (meta, text) => io(async () => {
      await client.multi().set(k.runbook(meta.runId), text).set(k.run(meta.runId), JSON.stringify(meta)).zadd(k.runs, Date.parse(meta.startedAt), meta.runId).exec();
    }),
    writeRunMeta: (meta: RunMeta, fence?: Fence) =>
      fence ? fenced(fence, k.run(meta.runId), 'set', JSON.stringify(meta)) : io(async () => void (await client.set(k.run(meta.runId), JSON.stringify(meta)))),
    readRunMeta: (runId) => io(async () => {
      const json = await client.get(k.run(runId));
      return json ? (JSON.parse(json) as RunMeta) : undefined;
    }),
    readRunbookCopy: (runId) => io(async () => (await client.get(k.runbook(runId))) ?? undefined),
    listRuns: () => io(async () => {
      const ids = await client.zrevrange(k.runs, 0, -1);
      if (ids.length === 0) return [];
      const metas = await client.mget(...ids.map(k.run));
      return metas.flatMap((m) => (m ? [JSON.parse(m) as RunMeta] : []));
    }),
    openJournal: async (runId, fence) => ({
      append: (record: JournalRecord) => fenced(fence, k.journal(runId), 'rpush', JSON.stringify(record)),
      close: async () => undefined,
    }),
    readJournal: (runId) => io(async () => parseJournalText((await client.lrange(k.journal(runId), 0, -1)).map((l) => `${l}\n`).join(''))),
    appendUnfenced: (runId, record) => io(async () => void (await client.rpush(k.journal(runId), JSON.stringify(record)))),
    audit: (entry) => io(async () => void (await client.rpush(k.audit, JSON.stringify(entry)))),
    logFile: () => undefined,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function fencedOut(fence: Fence, currentJson: string): FencedOut {
  const cur = toHolder(currentJson);
  return new FencedOut(fence.scope, fence.token, cur && { token: cur.token, runId: cur.runId, holder: `${cur.user}@${cur.host} pid ${cur.pid}` });
}
