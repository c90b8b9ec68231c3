// 4. The routing-rules flip at 10,000 shards over 100 zones: compute + validate (in-process and as a
// whole `drctl rules flip --dry-run`), and the Redis write + publish of a real flip (fence → catch-up →
// flip → unfence, each a compare-and-set with PUBLISH) against the floor of one raw
// MULTI/SET/HSET/PUBLISH/EXEC of the same document on the same server.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DRCTL, ROOT, childEnv, fmtRatio, fmtStats, interleave, mustSucceed, ratio, stats, tempDir, timeSpawn, which } from './measure.js';

export const id = 'rules';
export const title = '4. Rules flip at 10,000 shards over 100 zones';

const SHARDS = 10_000;
const ZONES = 100;
const NEEDED = ['generate.js', 'flip.js', 'shard-map.js', 'load-topology.js', 'store-redis.js', 'flip-run.js'];

const dist = (p) => pathToFileURL(path.join(ROOT, 'dist', 'rules', p)).href;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server on loopback, no persistence; resolves once it answers. */
async function startRedis(dir) {
  const bin = which('redis-server');
  if (!bin) return undefined;
  const port = await freePort();
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'],
    { stdio: 'ignore', detached: true },
  );
  const { Redis } = await import('ioredis');
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    probe,
    stop() {
      probe.disconnect();
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    },
  };
}

export async function run({ quick, log }) {
  const missing = NEEDED.filter((f) => !existsSync(path.join(ROOT, 'dist', 'rules', f)));
  if (missing.length) {
    return {
      title,
      tables: [],
      goals: [],
      notes: [`SKIPPED: rules module not built yet (dist/rules/${missing.join(', dist/rules/')} missing: run npm run build).`],
    };
  }
  const { generateTopology, toTopologyDocument } = await import(dist('generate.js'));
  const { computeFlip } = await import(dist('flip.js'));
  const { initialMap } = await import(dist('shard-map.js'));
  const { loadTopologyFile } = await import(dist('load-topology.js'));
  const { stringify } = await import('yaml');
  const dir = tempDir('drctl-bench-rules-');
  const reps = quick ? 3 : 7;
  const notes = [];

  // A topology with room to take a city's load (spare capacity up to the whole shard count).
  const topology = generateTopology({ shardCount: SHARDS, zoneCount: ZONES, seed: 7, maxSpare: SHARDS });
  const topoFile = path.join(dir, 'topology.yaml');
  writeFileSync(topoFile, stringify(toTopologyDocument(topology)));
  const map0 = initialMap(topology);
  // the cut: a whole city if the flip accepts it, else the first data center it accepts
  const cities = [...new Set(topology.dcs.map((d) => d.city))];
  const candidates = [
    ...cities.map((c) => topology.dcs.filter((d) => d.city === c).map((d) => d.name)),
    ...topology.dcs.map((d) => [d.name]),
  ];
  const cut = candidates.find((c) => computeFlip(topology, map0, c).ok);
  if (!cut) return { title, tables: [], goals: [], notes: ['SKIPPED: no cut of the generated topology is accepted by computeFlip.'] };
  const probe = computeFlip(topology, map0, cut).value;
  const cutText = `${cut.join(',')} (${cut.length} data centers, ${probe.moving.length} shards move in ${probe.moves.length} moves)`;

  // ---- in-process: validate the topology file, compute the flip
  log(`in-process validate + compute, ${reps * 3} repetitions`);
  const validateMs = [];
  const computeMs = [];
  for (let i = 0; i < reps * 3; i++) {
    let t = performance.now();
    const loaded = await loadTopologyFile(topoFile);
    validateMs.push(performance.now() - t);
    if (!loaded.topology) throw new Error(`generated topology is invalid: ${JSON.stringify(loaded.diagnostics.slice(0, 2))}`);
    t = performance.now();
    const r = computeFlip(loaded.topology, map0, cut);
    computeMs.push(performance.now() - t);
    if (!r.ok) throw new Error(r.error.message);
  }
  const vSt = stats(validateMs.slice(1));
  const cSt = stats(computeMs.slice(1));

  // ---- a topology with two zones overlapping on 40,000 shards: the check must stay linear
  const overlapFile = path.join(dir, 'overlap.yaml');
  const OVERLAP = 40_000;
  writeFileSync(
    overlapFile,
    stringify({
      apiVersion: 'drctl/v1',
      kind: 'Topology',
      metadata: { name: 'overlap' },
      spec: {
        shardCount: OVERLAP,
        cities: {
          c: {
            dcs: {
              d1: { zones: { A: { capacity: OVERLAP, shards: [`0-${OVERLAP - 1}`], partners: ['B'] } } },
              d2: { zones: { B: { capacity: OVERLAP, shards: [`0-${OVERLAP - 1}`], partners: ['A'] } } },
            },
          },
        },
      },
    }),
  );
  const overlapMs = [];
  for (let i = 0; i < reps * 3; i++) {
    const t = performance.now();
    const loaded = await loadTopologyFile(overlapFile);
    overlapMs.push(performance.now() - t);
    if (loaded.diagnostics.filter((d) => d.code === 'shards-overlap').length !== 1) throw new Error('expected one overlap diagnostic');
  }
  const oSt = stats(overlapMs.slice(1));

  // ---- whole process: drctl rules flip --dry-run against a file store, and drctl --version
  const fileStore = `file:${path.join(dir, 'rules.json')}`;
  mustSucceed(
    'rules init',
    await timeSpawn([...DRCTL, 'rules', 'init', '--topology', topoFile, '--store', fileStore, '--yes'], { logDir: dir, logName: 'init' }),
  );
  const env = childEnv({ CI: '1', NO_COLOR: '1' });
  const dry = [...DRCTL, 'rules', 'flip', '--dry-run', '--cut', cut.join(','), '--topology', topoFile, '--store', fileStore];
  log(`drctl rules flip --dry-run vs drctl --version, ${reps} repetitions`);
  const cli = await interleave(
    [
      {
        name: 'version',
        once: async () =>
          mustSucceed('drctl --version', await timeSpawn([...DRCTL, '--version'], { env, logDir: dir, logName: 'version' })),
      },
      {
        name: 'dry',
        once: async () => mustSucceed('rules flip --dry-run', await timeSpawn(dry, { env, logDir: dir, logName: 'dry' }), [2]),
      },
    ],
    { reps, log },
  );
  const verSt = stats(cli.get('version').map((s) => s.ms));
  const drySt = stats(cli.get('dry').map((s) => s.ms));
  const rows = [
    ['validate the topology file (parse YAML + checks), in-process', fmtStats(vSt), '–'],
    ['compute the flip (pure), in-process', fmtStats(cSt), '–'],
    ['validate a topology whose two zones overlap on 40,000 shards (one diagnostic)', fmtStats(oSt), '–'],
    ['`drctl --version` (start-up floor)', fmtStats(verSt), '1.00×'],
    ['`drctl rules flip --dry-run` (file store), whole process', fmtStats(drySt), fmtRatio(ratio(drySt.median, verSt.median))],
  ];

  // ---- Redis: a real flip (write + publish) against a raw write + publish of the same document
  const tables = [{ caption: 'Compute and validate:', columns: ['what', 'time', '÷ drctl --version'], rows }];
  const redis = await startRedis(dir);
  if (!redis) {
    notes.push('Redis part skipped: redis-server not installed (apt-get install redis-server).');
  } else {
    try {
      const { openRedisStore } = await import(dist('store-redis.js'));
      const { runFlip } = await import(dist('flip-run.js'));
      const { toVersionDocument } = await import(dist('version-document.js'));
      const { Redis } = await import('ioredis');
      const raw = new Redis({ host: '127.0.0.1', port: redis.port });
      const sub = new Redis({ host: '127.0.0.1', port: redis.port });
      const flipMs = [];
      const stageMs = new Map();
      const rawMs = [];
      const seenMs = [];
      const cliMs = [];
      const doc = JSON.stringify(toVersionDocument(2, { kind: 'map', map: probe.newMap, fence: null }, new Date().toISOString()));
      log(`Redis on 127.0.0.1:${redis.port}: flip vs raw write+publish, ${reps} repetitions`);
      for (let i = 0; i < reps + 1; i++) {
        // in-process flip, with a subscriber timing when the last change arrives
        const url = `redis://127.0.0.1:${redis.port}?prefix=bench${i}:`;
        const store = await openRedisStore(url);
        await store.compareAndSet(0, { kind: 'init', map: map0, fence: null });
        await sub.subscribe(`bench${i}:changes`);
        let lastSeen = 0;
        const onMsg = (ch) => {
          if (ch === `bench${i}:changes`) lastSeen = performance.now();
        };
        sub.on('message', onMsg);
        const t0 = performance.now();
        const res = await runFlip({ store, topology, cut });
        const t1 = performance.now();
        await new Promise((r) => setTimeout(r, 20));
        sub.off('message', onMsg);
        await sub.unsubscribe(`bench${i}:changes`);
        await store.close();
        // the floor: one atomic write of the same document plus its publish
        const t2 = performance.now();
        await raw.multi().set(`raw${i}:version`, '2').hset(`raw${i}:versions`, '2', doc).publish(`raw${i}:changes`, '{"version":2}').exec();
        const t3 = performance.now();
        // the same flip as a whole CLI process on a fresh prefix
        const cliUrl = `redis://127.0.0.1:${redis.port}?prefix=cli${i}:`;
        const cstore = await openRedisStore(cliUrl);
        await cstore.compareAndSet(0, { kind: 'init', map: map0, fence: null });
        await cstore.close();
        // --no-catch-up: the bench measures drctl's own stages, not a replication check's
        const c = mustSucceed(
          'rules flip',
          await timeSpawn(
            [...DRCTL, 'rules', 'flip', '--yes', '--no-catch-up', '--cut', cut.join(','), '--topology', topoFile, '--store', cliUrl],
            { env, logDir: dir, logName: 'flip-cli' },
          ),
        );
        if (i === 0) continue; // warm-up
        if (res.status !== 'moved') throw new Error(`flip did not move (status ${res.status})`);
        flipMs.push(t1 - t0);
        seenMs.push(lastSeen - t0);
        rawMs.push(t3 - t2);
        cliMs.push(c.ms);
        for (const s of res.stages) stageMs.set(s.stage, [...(stageMs.get(s.stage) ?? []), s.durationMs]);
      }
      raw.disconnect();
      sub.disconnect();
      const fSt = stats(flipMs);
      const rSt = stats(rawMs);
      const redisRows = [
        ['raw MULTI SET+HSET+PUBLISH of the new map (floor)', fmtStats(rSt), '1.00×'],
        ...[...stageMs].map(([stage, xs]) => [
          `  flip stage: ${stage}`,
          fmtStats(stats(xs)),
          fmtRatio(ratio(stats(xs).median, rSt.median)),
        ]),
        ['drctl runFlip in-process: read + fence + flip + unfence', fmtStats(fSt), fmtRatio(ratio(fSt.median, rSt.median))],
        ['  … last change received by a subscriber', fmtStats(stats(seenMs)), fmtRatio(ratio(stats(seenMs).median, rSt.median))],
        ['`drctl rules flip --yes` (Redis store), whole process', fmtStats(stats(cliMs)), fmtRatio(ratio(stats(cliMs).median, rSt.median))],
      ];
      tables.push({
        caption: `Redis write + publish (redis-server on loopback, no persistence; document ${(doc.length / 1024).toFixed(1)} KiB):`,
        columns: ['what', 'time', '÷ floor'],
        rows: redisRows,
      });
      notes.push(
        'a flip writes three versions (fence, new map, unfence), each a compare-and-set Lua script that also PUBLISHes; the floor is one write of the new map with its publish, so about 3× the floor is the price of the fence.',
      );
    } finally {
      redis.stop();
    }
  }
  notes.push('the issue sets no goal for the flip: the figures are reported, with the start-up floor and the Redis floor beside them.');
  return {
    title,
    intro: `A topology generated by drctl's own generator (dist/rules/generate.js): ${SHARDS.toLocaleString('en-US')} shards over ${ZONES} zones in ${topology.dcs.length} data centers and ${cities.length} cities, 2 partners per zone; the cut evacuates ${cutText}.`,
    tables,
    goals: [],
    notes,
  };
}
