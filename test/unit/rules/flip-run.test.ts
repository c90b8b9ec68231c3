import { afterEach, describe, expect, test } from 'vitest';
import path from 'node:path';
import { runFlip } from '../../../src/rules/flip-run.js';
import type { StageEvent } from '../../../src/rules/flip-stages.js';
import { isFlipError } from '../../../src/rules/flip-error.js';
import { rollbackToVersion } from '../../../src/rules/restore.js';
import { initialMap } from '../../../src/rules/shard-map.js';
import type { RuleChange, RuleStore } from '../../../src/rules/store.js';
import { openFileStore } from '../../../src/rules/store-file.js';
import { createMemoryStore } from '../../../src/rules/store-memory.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { labTopology } from './lab-topology.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fileStore(): Promise<RuleStore> {
  const { dir, cleanup } = await makeTmpDir('drctl-rules-');
  const store = openFileStore(path.join(dir, 'rules.json'), { pollMs: 10 });
  cleanups.push(async () => {
    await store.close();
    await cleanup();
  });
  return store;
}

const stores = { file: fileStore, memory: async () => createMemoryStore() };

describe.each(Object.entries(stores))('staged flip on the %s store', (_name, open) => {
  test('the fence covers exactly the moving shards while data catches up, and is lifted after', async () => {
    const t = await labTopology();
    const store = await open();
    await store.compareAndSet(0, { kind: 'init', map: initialMap(t), fence: null });
    const seenDuringCatchUp: unknown[] = [];
    let probes = 0;
    const events: StageEvent[] = [];
    const r = await runFlip({
      store, topology: t, cut: ['hz-a', 'hz-b'], catchUpIntervalMs: 1, onStage: (e) => events.push(e),
      catchUp: async () => {
        const now = await store.read();
        seenDuringCatchUp.push({ fence: now?.fence?.shards.length, first: now?.fence?.shards[0], last: now?.fence?.shards.at(-1), owner0: now?.map.owners[0] });
        return ++probes < 3 ? { ok: false, detail: `lag ${3 - probes}` } : { ok: true };
      },
    });
    expect(seenDuringCatchUp).toEqual(Array(3).fill({ fence: 40, first: 0, last: 39, owner0: 'RZ01' }));
    expect(r).toMatchObject({ status: 'moved', fromVersion: 1, toVersion: 4, cut: ['hz-a', 'hz-b'] });
    expect(r.stages.map((s) => s.stage)).toEqual(['fence', 'catch-up', 'flip', 'unfence']);
    expect(events.filter((e) => e.type === 'waiting').map((e) => (e as { detail: string }).detail)).toEqual(['lag 2', 'lag 1']);
    const kinds = await Promise.all([1, 2, 3, 4].map(async (v) => (await store.readVersion(v))?.kind));
    expect(kinds).toEqual(['init', 'fence', 'map', 'unfence']);
    const now = await store.read();
    expect(now?.fence).toBeNull();
    expect(now?.map.owners.slice(0, 40)).toEqual([...Array(20).fill('RZ03'), ...Array(20).fill('RZ04')]);
    expect((await runFlip({ store, topology: t, cut: ['hz-a', 'hz-b'] })).status).toBe('noop');
  });

  test('a failed catch-up lifts the fence and leaves the old map', async () => {
    const t = await labTopology();
    const store = await open();
    await store.compareAndSet(0, { kind: 'init', map: initialMap(t), fence: null });
    const run = runFlip({ store, topology: t, cut: ['sz-a'], catchUpTimeoutMs: 20, catchUpIntervalMs: 5, catchUp: async () => ({ ok: false, detail: 'lag 7 MB' }) });
    const e = await run.catch((x: unknown) => x);
    expect(isFlipError(e) && e.reason).toBe('catch-up-failed');
    expect((e as Error).message).toMatch(/^data did not catch up within 20ms: lag 7 MB; the fence was lifted and the old map \(version 1\) stays$/);
    const now = await store.read();
    expect(now).toMatchObject({ version: 3, kind: 'unfence', fence: null });
    expect(now?.map).toEqual(initialMap(t));
  });

  test('a fence held by another operation is refused; a crashed run of the same flip is resumed', async () => {
    const t = await labTopology();
    const store = await open();
    await store.compareAndSet(0, { kind: 'init', map: initialMap(t), fence: null });
    await store.compareAndSet(1, { kind: 'fence', map: initialMap(t), fence: { shards: [40, 41], by: 'flip sh-a', atIso: 'x' } });
    const e = await runFlip({ store, topology: t, cut: ['hz-a'] }).catch((x: unknown) => x);
    expect(isFlipError(e) && [e.reason, e.message]).toEqual(['fenced', 'shards 40-41 are write-fenced by "flip sh-a" since x']);
    await store.compareAndSet(2, { kind: 'unfence', map: initialMap(t), fence: null });
    const shards = Array.from({ length: 20 }, (_, i) => i);
    await store.compareAndSet(3, { kind: 'fence', map: initialMap(t), fence: { shards, by: 'flip hz-a', atIso: 'y' } });
    const r = await runFlip({ store, topology: t, cut: ['hz-a'] });
    expect(r.stages.map((s) => s.stage)).toEqual(['catch-up', 'flip', 'unfence']);
    expect((await store.read())?.fence).toBeNull();
  });

  test('rollback restores the exact previous map; subscribers see every version once, in order', async () => {
    const t = await labTopology();
    const store = await open();
    await store.compareAndSet(0, { kind: 'init', map: initialMap(t), fence: null });
    const seen: RuleChange[] = [];
    const sub = await store.subscribe((c) => seen.push(c));
    const flip = await runFlip({ store, topology: t, cut: ['sh-a'] });
    await rollbackToVersion({ store, version: flip.fromVersion });
    await waitFor(() => seen.length >= 6, '6 changes');
    await sub.close();
    expect(seen.map((c) => `${c.version}:${c.kind}`)).toEqual(['2:fence', '3:map', '4:unfence', '5:fence', '6:rollback', '7:unfence']);
    expect((await store.read())?.map).toEqual(initialMap(t));
  });

  test('compare-and-set: of two writers at the same version exactly one wins', async () => {
    const t = await labTopology();
    const store = await open();
    await store.compareAndSet(0, { kind: 'init', map: initialMap(t), fence: null });
    const results = await Promise.all([1, 2, 3, 4].map(() => store.compareAndSet(1, { kind: 'map', map: initialMap(t), fence: null })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array(3).fill({ ok: false, reason: 'conflict', currentVersion: 2 }));
  });
});
