import { randomUUID } from 'node:crypto';
import { makeEtcdClient, etcdErrorText } from '../infra/etcd-client.js';
import { cmp, getKv, op, text, txn } from '../infra/etcd-ops.js';
import { etcdLabel, type EtcdSpec } from '../infra/etcd-url.js';
import { createOrderedDelivery } from './ordered-delivery.js';
import { storeInvalid, storeUnavailable } from './store-errors.js';
import { CHANGE_KINDS, type RuleChange, type RuleStore, type RuleVersion, type Subscription } from './store.js';
import { parseVersionDocument, toVersionDocument } from './version-document.js';

/** Version keys sort by number: PREFIX/versions/000000000042. */
const versionKey = (prefix: string, v: number): string => `${prefix}/versions/${String(v).padStart(12, '0')}`;

/**
 * Rules in etcd under a prefix: PREFIX/version (the current version number) and PREFIX/versions/N (each
 * version's document, never changed once written). A change is one transaction: if PREFIX/version is
 * still the version the writer read, write the next one and its document — so of two flips at once
 * exactly one wins and the other gets the conflict. Subscribers use etcd's watch from the revision of
 * their first read: every later version arrives, in order, once (no polling); the watch resumes from
 * its last revision after a member fails, and gaps are filled from the kept versions.
 */
export async function openEtcdRuleStore(spec: EtcdSpec): Promise<RuleStore> {
  const label = etcdLabel(spec);
  const client = await makeEtcdClient(spec);
  const p = spec.prefix;
  const currentKey = `${p}/version`;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw (e as { drctl?: boolean }).drctl ? e : storeUnavailable(label, new Error(etcdErrorText(e)));
    }
  };
  const readVersion = (version: number): Promise<RuleVersion | undefined> =>
    call(async () => {
      const json = text(await getKv(client, versionKey(p, version)));
      return json === undefined ? undefined : parseVersionDocument(json, label);
    });
  /** The current version number and the revision it was read at. */
  const current = async (): Promise<{ version: number; revision: string }> => {
    const r = await client.kv.range({ key: Buffer.from(currentKey) });
    const raw = r.kvs[0]?.value.toString('utf8');
    const version = raw === undefined ? 0 : Number(raw);
    if (!Number.isInteger(version) || version < 0)
      throw storeInvalid(label, `${currentKey} holds ${JSON.stringify(raw)}, not a version number`);
    return { version, revision: r.header.revision };
  };
  const watchers = new Set<{ close(): Promise<void> }>();
  return {
    label,
    read: () =>
      call(async () => {
        const { version } = await current();
        return version === 0 ? undefined : readVersion(version);
      }),
    readVersion,
    compareAndSet: (expected, next) =>
      call(async () => {
        // `writer` makes this write's document unique: two writers of the same change in the same millisecond
        // write equal documents, and `mine()` below must not take the other's commit for its own
        const doc = JSON.stringify({ ...toVersionDocument(expected + 1, next, new Date().toISOString()), writer: randomUUID() });
        const guard = expected === 0 ? cmp.createdAt(currentKey, 0) : cmp.valueIs(currentKey, String(expected));
        const write = () =>
          txn(client, [guard], [op.put(currentKey, String(expected + 1)), op.put(versionKey(p, expected + 1), doc)], [op.get(currentKey)]);
        // a write that timed out may still have committed: our document at expected+1 says whether it did
        const mine = async (): Promise<boolean> => text(await getKv(client, versionKey(p, expected + 1))) === doc;
        let r;
        try {
          r = await write();
        } catch (e) {
          if (await mine().catch(() => Promise.reject(e))) return { ok: true, version: expected + 1 } as const;
          throw e;
        }
        if (r.succeeded) return { ok: true, version: expected + 1 } as const;
        const currentVersion = Number(text(r.reads[0]) ?? 0);
        // etcd3 retries a write that timed out: the retry's compare then fails on our own committed write
        // (a fence renewal would take that for a lost fence)
        if (currentVersion === expected + 1 && (await mine())) return { ok: true, version: expected + 1 } as const;
        return { ok: false, reason: 'conflict', currentVersion } as const;
      }),
    async subscribe(onChange, onError = () => undefined): Promise<Subscription> {
      const start = await call(current);
      const deliver = createOrderedDelivery({ readVersion }, Promise.resolve(start.version), onChange, onError);
      const watcher = await call(() =>
        client
          .watch()
          .prefix(`${p}/versions/`)
          .startRevision(String(Number(start.revision) + 1))
          .create(),
      );
      watcher.on('put', (kv) => {
        const v = Number(kv.key.toString('utf8').slice(`${p}/versions/`.length));
        if (!Number.isInteger(v) || v < 1) return;
        const doc = parseChange(kv.value.toString('utf8'));
        void deliver(v, doc?.version === v ? doc : undefined);
      });
      watcher.on('error', (e) => onError(storeUnavailable(label, new Error(`watch failed: ${etcdErrorText(e)}`))));
      const sub = { close: async () => void (watchers.delete(sub), await watcher.cancel().catch(() => undefined)) };
      watchers.add(sub);
      return sub;
    },
    async close() {
      await Promise.all([...watchers].map((w) => w.close()));
      client.close();
    },
  };
}

function parseChange(json: string): RuleChange | undefined {
  try {
    const d = JSON.parse(json) as RuleChange;
    return Number.isInteger(d.version) && CHANGE_KINDS.includes(d.kind) && typeof d.atIso === 'string'
      ? { version: d.version, kind: d.kind, atIso: d.atIso }
      : undefined;
  } catch {
    return undefined;
  }
}
