import { afterEach, describe, expect, test } from 'vitest';
import path from 'node:path';
import { fenceSize, renderFence, type FenceOwner } from '../../../src/rules/fence.js';
import type { HostProbe } from '../../../src/rules/fence-owner.js';
import { runFlip, runHomeMove } from '../../../src/rules/flip-run.js';
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

/** A host where only the listed pids run (so "dead" is decided without real processes). */
const host = (running: readonly number[], machineId = 'm-1'): HostProbe => ({
  host: 'ops-1',
  pid: 100,
  machineId,
  processStart: (pid) => (pid === 100 || running.includes(pid) ? `start-${pid}` : undefined),
});

const owner = (o: Partial<FenceOwner>): FenceOwner => ({
  id: 'other-run',
  host: 'ops-1',
  pid: 200,
  machineId: 'm-1',
  processStart: 'start-200',
  startedAtIso: new Date().toISOString(),
  leaseUntilIso: new Date(Date.now() + 60_000).toISOString(),
  ...o,
});

const hzA = { ranges: [{ from: 0, to: 19 }], by: 'flip hz-a', atIso: 'y' };

describe.each(Object.entries(stores))('staged flip on the %s store', (_name, open) => {
  async function initialized(): Promise<RuleStore> {
    const store = await open();
    await store.compareAndSet(0, { kind: 'init', map: initialMap(await labTopology()), fence: null });
    return store;
  }

  test('the fence covers exactly the moving shards while data catches up, names its owner, and is lifted after', async () => {
    const t = await labTopology();
    const store = await initialized();
    const seen: string[] = [];
    let probes = 0;
    const events: StageEvent[] = [];
    const r = await runFlip({
      store,
      topology: t,
      cut: ['hz-a', 'hz-b'],
      catchUpIntervalMs: 1,
      onStage: (e) => events.push(e),
      catchUp: async () => {
        const now = await store.read();
        seen.push(`${now?.fence ? renderFence(now.fence, 100) : '-'} ${now?.fence?.owner?.pid} ${now?.map.owners[0]}`);
        return ++probes < 3 ? { ok: false, detail: `lag ${3 - probes}` } : { ok: true };
      },
    });
    expect(seen).toEqual(Array(3).fill(`00-39 ${process.pid} RZ01`));
    expect(r).toMatchObject({ status: 'moved', fromVersion: 1, toVersion: 4, cut: ['hz-a', 'hz-b'] });
    expect(r.stages.map((s) => s.stage)).toEqual(['fence', 'catch-up', 'flip', 'unfence']);
    expect(events.filter((e) => e.type === 'waiting').map((e) => (e as { detail: string }).detail)).toEqual(['lag 2', 'lag 1']);
    const versions = await Promise.all([1, 2, 3, 4].map((v) => store.readVersion(v)));
    expect(versions.map((v) => v?.kind)).toEqual(['init', 'fence', 'map', 'unfence']);
    expect(versions.map((v) => v?.cut)).toEqual([[], [], ['hz-a', 'hz-b'], ['hz-a', 'hz-b']]);
    const now = await store.read();
    expect(now?.fence).toBeNull();
    expect(now?.map.owners.slice(0, 40)).toEqual([...Array(20).fill('RZ03'), ...Array(20).fill('RZ04')]);
    expect((await runFlip({ store, topology: t, cut: ['hz-a', 'hz-b'] })).status).toBe('noop');
  });

  test('a failed catch-up lifts the fence and leaves the old map', async () => {
    const t = await labTopology();
    const store = await initialized();
    const run = runFlip({
      store,
      topology: t,
      cut: ['sz-a'],
      catchUpTimeoutMs: 20,
      catchUpIntervalMs: 5,
      catchUp: async () => ({ ok: false, detail: 'lag 7 MB' }),
    });
    const e = await run.catch((x: unknown) => x);
    expect(isFlipError(e) && e.reason).toBe('catch-up-failed');
    expect((e as Error).message).toMatch(
      /^data did not catch up within 20ms: lag 7 MB; the fence was lifted and the old map \(version 1\) stays$/,
    );
    const now = await store.read();
    expect(now).toMatchObject({ version: 3, kind: 'unfence', fence: null, cut: [] });
    expect(now?.map).toEqual(initialMap(t));
  });

  test('a fence held by another operation is refused, naming the operation and its owner', async () => {
    const t = await labTopology();
    const store = await initialized();
    await store.compareAndSet(1, {
      kind: 'fence',
      map: initialMap(t),
      fence: { ranges: [{ from: 40, to: 41 }], by: 'flip sh-a', atIso: 'x', owner: owner({ pid: 4242, processStart: 'start-4242' }) },
    });
    const e = await runFlip({ store, topology: t, cut: ['hz-a'], hostProbe: host([4242]) }).catch((x: unknown) => x);
    expect(isFlipError(e) && e.reason).toBe('fenced');
    expect((e as Error).message).toMatch(
      /^shards 40-41 are write-fenced by "flip sh-a" since x, held by pid 4242 on host ops-1 \(run other-ru, started .*, lease until .*\)$/,
    );
    expect((await store.read())?.version).toBe(2);
  });

  test('a live run of the same flip keeps its fence: a second copy is refused and writes nothing', async () => {
    const t = await labTopology();
    const store = await initialized();
    await store.compareAndSet(1, { kind: 'fence', map: initialMap(t), fence: { ...hzA, owner: owner({}) } });
    let probes = 0;
    const e = await runFlip({
      store,
      topology: t,
      cut: ['hz-a'],
      hostProbe: host([200]),
      catchUp: async () => ((probes += 1), { ok: true }),
    }).catch((x: unknown) => x);
    expect(isFlipError(e) && [e.reason, e.exitCode]).toEqual(['fenced', 4]);
    expect((e as Error).message).toMatch(/^"flip hz-a" is already running: shards 00-19 are write-fenced by pid 200 on host ops-1/);
    expect(probes).toBe(0);
    expect((await store.read())?.version).toBe(2);
  });

  test.each([
    ['its process is gone (same machine)', owner({}), host([]), /process 200 on ops-1 is gone/],
    ['its pid now belongs to a later process', owner({ processStart: 'older' }), host([200]), /pid now belongs to a later process/],
    [
      'its lease expired (another machine)',
      owner({ machineId: 'm-2', leaseUntilIso: new Date(Date.now() - 1).toISOString() }),
      host([]),
      /its lease ended at/,
    ],
  ])('the fence of a dead run of the same flip is taken over when %s, and catch-up runs again', async (_why, dead, probe, why) => {
    const t = await labTopology();
    const store = await initialized();
    await store.compareAndSet(1, { kind: 'fence', map: initialMap(t), fence: { ...hzA, owner: dead } });
    const fencesDuringCatchUp: (number | undefined)[] = [];
    const r = await runFlip({
      store,
      topology: t,
      cut: ['hz-a'],
      hostProbe: probe,
      catchUp: async () => (fencesDuringCatchUp.push((await store.read())?.fence?.owner?.pid), { ok: true }),
    });
    expect(r.tookOver?.why).toMatch(why);
    expect(r.stages.map((s) => s.stage)).toEqual(['fence', 'catch-up', 'flip', 'unfence']);
    expect(fencesDuringCatchUp).toEqual([100]); // caught up under this run's own fence
    expect(await store.read()).toMatchObject({ version: 5, fence: null, cut: ['hz-a'] });
  });

  test('a run that ended in this process with its fence up (the unfence write failed) is taken over by the retry', async () => {
    const t = await labTopology();
    const store = await initialized();
    let failUnfence = true;
    const flaky: RuleStore = {
      ...store,
      label: store.label,
      read: () => store.read(),
      readVersion: (v) => store.readVersion(v),
      subscribe: (a, b) => store.subscribe(a, b),
      close: () => store.close(),
      compareAndSet: async (expected, next) => {
        if (next.kind === 'unfence' && failUnfence) {
          failUnfence = false;
          throw new Error('connection reset');
        }
        return store.compareAndSet(expected, next);
      },
    };
    const e = await runFlip({ store: flaky, topology: t, cut: ['sz-a'] }).catch((x: unknown) => x);
    expect(isFlipError(e) && e.reason).toBe('unfence-failed');
    expect(await store.read()).toMatchObject({ version: 3, kind: 'map' });
    const retry = await runFlip({ store: flaky, topology: t, cut: ['sz-a'] });
    expect(retry.tookOver?.why).toBe(`its run in this process (pid ${process.pid}) has ended`);
    expect(await store.read()).toMatchObject({ version: 5, kind: 'unfence', fence: null, cut: ['sz-a'] });
  });

  test.each([
    ['its process is gone (same machine)', owner({}), host([]), /process 200 on ops-1 is gone/],
    ['its lease expired', owner({ leaseUntilIso: new Date(Date.now() - 1).toISOString() }), host([200]), /its lease ended at/],
  ])(
    'a rollback takes over the fence of a killed flip (another operation) when %s, widened to what it moves',
    async (_why, dead, probe, why) => {
      const t = await labTopology();
      const store = await initialized();
      // the flip of hz-a was killed right after its fence (version 2): the map is still the initial one
      await store.compareAndSet(1, {
        kind: 'fence',
        map: initialMap(t),
        fence: { ranges: [{ from: 0, to: 39 }], by: 'flip hz-a,hz-b', atIso: 'y', owner: dead },
      });
      const during: string[] = [];
      const r = await rollbackToVersion({
        store,
        version: 1,
        hostProbe: probe,
        catchUp: async () => {
          const f = (await store.read())?.fence;
          during.push(`${f ? renderFence(f, 100) : '-'} ${f?.by} ${f?.owner?.pid}`);
          return { ok: true };
        },
      });
      expect(r.tookOver?.why).toMatch(why);
      expect(during).toEqual(['00-39 rollback to v1 100']); // caught up under its own fence, over the dead one's shards
      expect(await store.read()).toMatchObject({ fence: null, cut: [] });
      expect((await store.read())?.map).toEqual(initialMap(t));
    },
  );

  test('a live fence of another operation is refused with a remedy that names the store', async () => {
    const t = await labTopology();
    const store = await initialized();
    await store.compareAndSet(1, {
      kind: 'fence',
      map: initialMap(t),
      fence: { ranges: [{ from: 0, to: 39 }], by: 'flip hz-a,hz-b', atIso: 'y', owner: owner({}) },
    });
    const e = await rollbackToVersion({
      store,
      version: 1,
      hostProbe: host([200]),
      unfenceCommand: 'drctl rules unfence --store file:/x/rules.json --yes',
    }).catch((x: unknown) => x);
    expect(isFlipError(e) && e.reason).toBe('fenced');
    expect(isFlipError(e) && e.hint).toMatch(/`drctl rules unfence --store file:\/x\/rules\.json --yes` lifts its fence/);
    expect((await store.read())?.version).toBe(2);
  });

  test('a live owner on another machine keeps its fence until its lease expires', async () => {
    const t = await labTopology();
    const store = await initialized();
    await store.compareAndSet(1, { kind: 'fence', map: initialMap(t), fence: { ...hzA, owner: owner({ machineId: 'm-2', pid: 100 }) } });
    const e = await runFlip({ store, topology: t, cut: ['hz-a'], hostProbe: host([]) }).catch((x: unknown) => x);
    expect(isFlipError(e) && e.reason).toBe('fenced');
  });

  test('the owner renews its lease while catch-up waits; a run that loses its fence publishes nothing', async () => {
    const t = await labTopology();
    const store = await initialized();
    const r = await runFlip({
      store,
      topology: t,
      cut: ['sz-a'],
      leaseMs: 30,
      catchUpIntervalMs: 2,
      catchUpTimeoutMs: 60_000,
      catchUp: async () => {
        const now = await store.read();
        return now && now.version >= 4 && now.kind === 'fence' ? { ok: true } : { ok: false, detail: `at version ${now?.version}` };
      },
    });
    const history = await Promise.all(Array.from({ length: r.toVersion }, (_, i) => store.readVersion(i + 1)));
    const fences = history.filter((v) => v?.kind === 'fence');
    expect(fences.length).toBeGreaterThanOrEqual(3);
    expect(new Set(fences.map((v) => v?.fence?.owner?.id)).size).toBe(1);
    const leases = fences.map((v) => Date.parse(v?.fence?.owner?.leaseUntilIso ?? ''));
    expect(leases).toEqual([...leases].sort((a, b) => a - b));
    expect(history.at(-1)).toMatchObject({ kind: 'unfence', fence: null });

    // another run takes the fence over (as if this run's lease had expired): the renewal notices, the run stops
    const store2 = await initialized();
    let stolen = false;
    const e = await runFlip({
      store: store2,
      topology: t,
      cut: ['sz-a'],
      leaseMs: 30,
      catchUpIntervalMs: 2,
      catchUpTimeoutMs: 60_000,
      catchUp: async () => {
        const now = await store2.read();
        if (!stolen && now?.fence) {
          stolen = true;
          await store2.compareAndSet(now.version, { kind: 'fence', map: now.map, fence: { ...now.fence, owner: owner({ id: 'thief' }) } });
        }
        return { ok: false, detail: 'waiting' };
      },
    }).catch((x: unknown) => x);
    expect(isFlipError(e) && e.reason).toBe('conflict');
    expect((e as Error).message).toMatch(/^lost the fence while waiting: the rules changed underneath this flip/);
    const after = await store2.read();
    expect(after).toMatchObject({ version: 3, kind: 'fence' });
    expect(after?.fence?.owner?.id).toBe('thief'); // not lifted, not overwritten
    expect(after?.map).toEqual(initialMap(t));
  });

  test('earlier cuts stay cut: a later flip never moves shards back into them; home clears them', async () => {
    const t = await labTopology();
    const store = await initialized();
    await runFlip({ store, topology: t, cut: ['hz-a', 'hz-b'] });
    const r = await runFlip({ store, topology: t, cut: ['sh-a'] });
    expect(r.cut).toEqual(['hz-a', 'hz-b', 'sh-a']);
    expect(r.moves.map((m) => `${m.ranges}: ${m.from.zone} → ${m.to.zone}`)).toEqual(['00-19, 40-59: RZ03 → RZ05']);
    const now = await store.read();
    expect(now?.cut).toEqual(['hz-a', 'hz-b', 'sh-a']);
    expect(now?.map.owners.filter((z) => z === 'RZ01' || z === 'RZ02' || z === 'RZ03')).toEqual([]);
    const home = await runHomeMove({ store, topology: t });
    expect(home.status).toBe('moved');
    expect(await store.read()).toMatchObject({ fence: null, cut: [], map: initialMap(t) });
  });

  test('a cut of a data center whose zones own nothing is recorded, so later flips keep out of it', async () => {
    const t = await labTopology();
    const store = await initialized();
    await runFlip({ store, topology: t, cut: ['hz-a'] }); // RZ01's shards → RZ03 (sh-a)
    await runFlip({ store, topology: t, cut: ['sh-a'] }); // RZ03's → RZ05, not back to RZ01 in hz-a
    const again = await runFlip({ store, topology: t, cut: ['hz-a'] });
    expect(again.status).toBe('noop');
    expect((await store.read())?.cut).toEqual(['hz-a', 'sh-a']);
  });

  test('rollback is a staged move too: fence → catch-up → flip → unfence, restoring the map and the cut set', async () => {
    const t = await labTopology();
    const store = await initialized();
    const seen: RuleChange[] = [];
    const sub = await store.subscribe((c) => seen.push(c));
    const flip = await runFlip({ store, topology: t, cut: ['sh-a'] });
    const during: string[] = [];
    const r = await rollbackToVersion({
      store,
      version: flip.fromVersion,
      catchUp: async () => {
        const now = await store.read();
        during.push(`${now?.fence?.by} ${now?.fence ? fenceSize(now.fence) : 0} ${now?.map.owners[40]}`);
        return { ok: true };
      },
    });
    expect(r.stages.map((s) => s.stage)).toEqual(['fence', 'catch-up', 'flip', 'unfence']);
    expect(during).toEqual(['rollback to v1 20 RZ01']);
    await waitFor(() => seen.length >= 6, '6 changes');
    await sub.close();
    expect(seen.map((c) => `${c.version}:${c.kind}`)).toEqual(['2:fence', '3:map', '4:unfence', '5:fence', '6:rollback', '7:unfence']);
    expect(await store.read()).toMatchObject({ map: initialMap(t), cut: [], fence: null });
  });

  test('compare-and-set: of two writers at the same version exactly one wins', async () => {
    const t = await labTopology();
    const store = await initialized();
    const results = await Promise.all([1, 2, 3, 4].map(() => store.compareAndSet(1, { kind: 'map', map: initialMap(t), fence: null })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array(3).fill({ ok: false, reason: 'conflict', currentVersion: 2 }));
  });
});
