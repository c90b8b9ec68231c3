// 6. The state stores side by side: lock + 100 journal appends + release on the folder store, Redis and
// a 3-member etcd cluster (all on this machine), in one run; and the DAG of benchmark 1 run by
// `drctl run` with --state on the folder store and on etcd.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { dagRunbook } from './gen.js';
import {
  DRCTL,
  ROOT,
  childEnv,
  fmtMs,
  fmtRatio,
  fmtStats,
  interleave,
  mustSucceed,
  ratio,
  stats,
  tempDir,
  timeSpawn,
  which,
} from './measure.js';

export const id = 'stores';
export const title = '6. State stores: folder, Redis, etcd';

const APPENDS = 100;
const dist = (p) => path.join(ROOT, 'dist', p);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** redis-server on loopback, every write fsync'd (appendfsync always: as durable as the other two). */
async function startRedis(dir) {
  const bin = which('redis-server');
  if (!bin) return undefined;
  const port = await freePort();
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
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
  probe.disconnect();
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => process.kill(child.pid, 'SIGKILL') };
}

/** The lab's etcd recipe (src/lab/etcd.ts): 3 members on free loopback ports, stopped by pid. */
async function startEtcd(dir) {
  if (!which('etcd')) return undefined;
  const { startEtcdCluster } = await import(dist('lab/etcd.js'));
  const members = [];
  for (const name of ['m1', 'm2', 'm3']) members.push({ name, clientPort: await freePort(), peerPort: await freePort() });
  const pids = [];
  await startEtcdCluster({ dir, members, token: `bench-${process.pid}`, onStart: (m) => void pids.push(m.pid) });
  return {
    url: `etcd://${members.map((m) => `127.0.0.1:${m.clientPort}`).join(',')}/bench`,
    stop: () => pids.forEach((pid) => process.kill(pid, 'SIGKILL')),
  };
}

/** One controller's life on a store: lock, APPENDS durable journal appends one after the other, release. */
async function lockAppendRelease(openStateStore, state, round) {
  const store = await openStateStore(state);
  try {
    const runId = `bench-${round}-${Math.random().toString(16).slice(2, 8)}`;
    const t0 = performance.now();
    const lease = await store.acquireLock(
      `bench-${runId}`,
      { runId, mode: 'run', user: 'bench', host: 'bench', pid: process.pid, since: new Date().toISOString() },
      15_000,
    );
    const tLock = performance.now();
    await store.createRun(
      {
        schemaVersion: 2,
        runId,
        mode: 'run',
        runbook: { name: 'b', file: 'b', hash: 'h' },
        status: 'running',
        startedAt: new Date().toISOString(),
        host: 'bench',
        user: 'bench',
        pid: process.pid,
      },
      'runbook',
    );
    const journal = await store.openJournal(runId, lease);
    const tOpen = performance.now();
    for (let seq = 1; seq <= APPENDS; seq++) {
      await journal.append({
        type: 'step.progress',
        stepId: 's',
        message: 'x'.repeat(80),
        runId,
        at: new Date().toISOString(),
        schemaVersion: 2,
        seq,
        fence: lease.token,
      });
    }
    await journal.close();
    const tAppends = performance.now();
    await lease.release();
    const t1 = performance.now();
    return { ms: t1 - t0, lockMs: tLock - t0, appendMs: (tAppends - tOpen) / APPENDS, releaseMs: t1 - tAppends };
  } finally {
    await store.close();
  }
}

export async function run({ quick, log }) {
  const dir = tempDir('drctl-bench-stores-');
  const notes = [];
  const { openStateStore } = await import(dist('state/open-store.js'));
  const redis = await startRedis(tempDir('drctl-bench-redis-'));
  const etcd = await startEtcd(tempDir('drctl-bench-etcd-'));
  if (!redis) notes.push('redis-server not installed: Redis row skipped.');
  if (!etcd) notes.push('etcd not installed (apt-get install etcd-server): etcd rows skipped.');
  try {
    const reps = quick ? 3 : 7;
    let folders = 0;
    const contenders = [
      { name: 'folder', once: (round) => lockAppendRelease(openStateStore, path.join(dir, `state-${folders++}`), round) },
      ...(redis
        ? [{ name: 'redis', once: (round) => lockAppendRelease(openStateStore, `${redis.url}?prefix=bench${round}:`, round) }]
        : []),
      ...(etcd ? [{ name: 'etcd', once: (round) => lockAppendRelease(openStateStore, etcd.url, round) }] : []),
    ];
    log(`lock + ${APPENDS} appends + release, ${reps} repetitions`);
    const samples = await interleave(contenders, { reps, log });
    const folder = stats(samples.get('folder').map((s) => s.ms));
    const row = (name, label) => {
      const s = samples.get(name);
      if (!s?.length) return [];
      const whole = stats(s.map((x) => x.ms));
      return [
        [
          label,
          fmtStats(whole),
          fmtMs(stats(s.map((x) => x.lockMs)).median),
          fmtMs(stats(s.map((x) => x.appendMs)).median),
          fmtMs(stats(s.map((x) => x.releaseMs)).median),
          fmtRatio(ratio(whole.median, folder.median)),
        ],
      ];
    };
    const storeRows = [
      ...row('folder', 'folder (embedded, fsync per append)'),
      ...row('redis', 'Redis (one server, appendfsync always)'),
      ...row('etcd', 'etcd (3 members, Raft: a majority fsyncs each append)'),
    ];

    // ---- the DAG of benchmark 1 with its state on etcd
    const tables = [
      {
        caption: `One controller: lock + ${APPENDS} journal appends (each awaited, as intents and outcomes are) + release:`,
        columns: ['store', 'whole', 'lock', 'per append', 'release', '÷ folder'],
        rows: storeRows,
      },
    ];
    if (etcd) {
      const dagFile = path.join(dir, 'dag.yaml');
      writeFileSync(dagFile, dagRunbook({ layers: 5, width: 10, argv: ['sleep', '0.1'], concurrency: 10 }));
      const env = childEnv({ CI: '1', NO_COLOR: '1', DRCTL_STATE: undefined });
      let n = 0;
      const drctlRun = (state) => async () =>
        mustSucceed(
          `drctl run --state ${state}`,
          await timeSpawn([...DRCTL, 'run', dagFile, '--yes', '--state', state], { env, logDir: dir, logName: `dag-${n++}` }),
        );
      log(`DAG (5 × 10 × sleep 0.1) with --state folder vs etcd, ${quick ? 3 : 5} repetitions`);
      const dag = await interleave(
        [
          { name: 'folder', once: () => drctlRun(path.join(dir, `dag-state-${n}`))() },
          { name: 'etcd', once: () => drctlRun(etcd.url.replace(/\/bench$/, `/dag${n}`))() },
        ],
        { reps: quick ? 3 : 5, log },
      );
      const f = stats(dag.get('folder').map((s) => s.ms));
      const e = stats(dag.get('etcd').map((s) => s.ms));
      tables.push({
        caption: 'The DAG of benchmark 1 (5 layers × 10 × `sleep 0.1`, critical path 500 ms) by `drctl run`:',
        columns: ['--state', 'wall time', '÷ folder'],
        rows: [
          ['folder', fmtStats(f), '1.00×'],
          ['etcd (3 members)', fmtStats(e), fmtRatio(ratio(e.median, f.median))],
        ],
      });
    }
    notes.push(
      'Each store is opened, used and closed in the measured process (no CLI start-up); the etcd figure includes loading nothing (the client is imported once, before the first repetition).',
      "etcd: the lock is a lease plus one transaction; each append is one transaction that compares the lock's owner key (bound to the lease) and writes the record, committed by a majority before it returns. Appends that arrive while one is in flight go in one transaction (the engine's parallel steps), as the folder store shares one fsync.",
    );
    return { title, intro: 'The state store under one controller, all servers on this machine (loopback).', tables, goals: [], notes };
  } finally {
    redis?.stop();
    etcd?.stop();
  }
}
