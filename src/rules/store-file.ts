import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { withFsMutex } from '../infra/fs-mutex.js';
import { createOrderedDelivery } from './ordered-delivery.js';
import type { RuleStore, RuleVersion, Subscription, VersionDocument } from './store.js';
import { fileStoreError, storeInvalid, storeUnavailable } from './store-errors.js';
import { checkVersionDocument, fromVersionDocument, toVersionDocument } from './version-document.js';

export const FILE_STORE_POLL_MS = 100;

interface FileDocument {
  readonly schemaVersion: 1;
  /** Every version, oldest first; the last one is current. */
  readonly versions: readonly VersionDocument[];
}

/**
 * Rules in one JSON file holding every version (no server needed). Writes take FILE.lock (O_EXCL),
 * check the version, and replace the file atomically (temp + fsync + rename). Subscribers poll the file.
 * A file that is not a drctl rules file (bad JSON, `{}`, a version of the wrong shape, a folder) is a
 * one-line DrctlError naming it (exit 3); it is never overwritten.
 */
export function openFileStore(file: string, options: { readonly pollMs?: number } = {}): RuleStore {
  const label = `file:${file}`;
  const load = async (): Promise<FileDocument | undefined> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fileStoreError(label, e);
    }
    return parseFileDocument(text, label);
  };
  const pick = (doc: FileDocument | undefined, version?: number): RuleVersion | undefined => {
    const v = version === undefined ? doc?.versions[doc.versions.length - 1] : doc?.versions.find((d) => d.version === version);
    return v ? fromVersionDocument(v, label) : undefined;
  };
  const timers = new Set<NodeJS.Timeout>();
  const store: RuleStore = {
    label,
    read: async () => pick(await load()),
    readVersion: async (version) => pick(await load(), version),
    compareAndSet: (expected, next) =>
      withFsMutex(file, async () => {
        const doc = await load();
        const current = doc?.versions[doc.versions.length - 1]?.version ?? 0;
        if (current !== expected) return { ok: false, reason: 'conflict', currentVersion: current } as const;
        const entry = toVersionDocument(current + 1, next, new Date().toISOString());
        const out: FileDocument = { schemaVersion: 1, versions: [...(doc?.versions ?? []), entry] };
        await writeFileAtomic(file, `${JSON.stringify(out)}\n`, { mode: 0o644, mkdir: true }).catch((e: unknown) => {
          throw fileStoreError(label, e);
        });
        return { ok: true, version: current + 1 } as const;
      }).catch((e: unknown) => {
        throw (e as { drctl?: boolean }).drctl ? e : storeUnavailable(label, e);
      }),
    async subscribe(onChange, onError = () => undefined): Promise<Subscription> {
      const doc = await load();
      const start = doc?.versions[doc.versions.length - 1]?.version ?? 0;
      const deliver = createOrderedDelivery(store, Promise.resolve(start), onChange, onError);
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        load()
          .then((d) => deliver(d?.versions[d.versions.length - 1]?.version ?? 0))
          .catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))))
          .finally(() => (busy = false));
      }, options.pollMs ?? FILE_STORE_POLL_MS);
      timers.add(timer);
      return {
        async close() {
          clearInterval(timer);
          timers.delete(timer);
        },
      };
    },
    async close() {
      for (const t of timers) clearInterval(t);
      timers.clear();
    },
  };
  return store;
}

/** The whole file: JSON, schemaVersion 1, versions numbered 1, 2, 3… each of the right shape. */
function parseFileDocument(text: string, label: string): FileDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw storeInvalid(label, `not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw storeInvalid(label, 'the file does not hold a JSON object');
  const doc = raw as Record<string, unknown>;
  if (doc['schemaVersion'] !== 1) throw storeInvalid(label, `schemaVersion is ${JSON.stringify(doc['schemaVersion'])}, want 1`);
  const versions = doc['versions'];
  if (!Array.isArray(versions)) throw storeInvalid(label, 'it has no "versions" list');
  versions.forEach((v: unknown, i) => {
    const checked = checkVersionDocument(v, label);
    if (checked.version !== i + 1) throw storeInvalid(label, `entry ${i + 1} of "versions" is version ${checked.version}, want ${i + 1}`);
  });
  return { schemaVersion: 1, versions: versions as VersionDocument[] };
}
