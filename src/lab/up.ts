import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { assertLabBinaries } from './binaries.js';
import { startBind } from './bind.js';
import { startDcApp } from './dc-apps.js';
import { labDown } from './down.js';
import { startHaproxy } from './haproxy.js';
import { assertPortsFree } from './ports.js';
import { startPgPair } from './pg-pair.js';
import { isAlive } from './process.js';
import { redisCli, startRedisServer, waitReplicaLinked } from './redis.js';
import { isRoot } from './run.js';
import { startSentinel, waitSentinelsConverged } from './sentinel.js';
import { livePid, loadLabState, saveLabState } from './state-file.js';
import {
  allPorts, CITY_ADDRESSES, CONFIG_CENTRE, DATA_CENTERS, DEFAULT_BASE_PORT, DNS, HAPROXY, HAPROXY_READY, labPorts,
  MIDDLEWARE_INITIAL_DC, MIDDLEWARE_KEY, REDIS_GROUPS, SENTINEL_QUORUM, SENTINELS,
} from './topology.js';
import { LAB_STATE_FILE, LAB_STATE_VERSION, type LabProcess, type LabState } from './types.js';
import { labFailed, labInvalid, labRefused } from './errors.js';

export interface LabUpOptions {
  /** The lab folder (all state, logs and lab.json); created. */
  readonly dir: string;
  /** Ports are basePort + fixed offsets (default 27100 → 27100..27160). */
  readonly basePort?: number;
  readonly sentinelDownAfterMs?: number;
  readonly sentinelFailoverTimeoutMs?: number;
}

/**
 * Start the estate on loopback: Redis groups + 3 Sentinels, the config centre, PostgreSQL primary +
 * streaming standby, 5 DC apps behind HAProxy, BIND9. Refuses when a lab described by dir/lab.json is
 * running. On failure, stops whatever it started and throws.
 */
export async function labUp(options: LabUpOptions): Promise<LabState> {
  const dir = path.resolve(options.dir);
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  await refuseIfRunning(dir);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + 70 > 65535) {
    throw labInvalid(`base port must be an integer between 1024 and 65465, got ${basePort}`);
  }
  assertLabBinaries();
  const ports = labPorts(basePort);
  await assertPortsFree(portList(ports));
  await resetLabDir(dir);
  if (isRoot()) await chmod(dir, 0o755);

  const state = initialState(dir, basePort);
  const rec = recorder(state);
  await rec.flush();
  const results = await Promise.allSettled([
    startRedisTier(dir, ports, options, rec),
    startAppTier(dir, ports, rec),
    startDnsTier(dir, ports, rec),
    startPgTier(dir, ports, rec),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await labDown(dir, { graceMs: 2000 });
    const why = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
    throw labFailed(`lab up failed (everything started was stopped; logs in ${dir}): ${why}`);
  }
  return rec.flush();
}

async function refuseIfRunning(dir: string): Promise<void> {
  const existing = await loadLabState(dir);
  if (!existing) return;
  const alive: LabProcess[] = [];
  for (const p of existing.processes) if (isAlive(await livePid(p))) alive.push(p);
  const first = alive[0];
  if (first) {
    throw labRefused(
      `a lab is already running in ${dir} (${alive.length} processes, e.g. ${first.name} pid ${first.pid} on 127.0.0.1:${first.port}): run "drctl lab down" first`,
    );
  }
}

/** Start from a clean folder: remove a previous (stopped) lab's files; never touch a folder that is not a lab's. */
async function resetLabDir(dir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    // does not exist yet
  }
  if (entries.length > 0 && !entries.includes(LAB_STATE_FILE)) {
    throw labInvalid(`${dir} exists and is not a lab folder (no ${LAB_STATE_FILE}): pick an empty or new folder`);
  }
  for (const e of entries) await rm(path.join(dir, e), { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

function portList(ports: ReturnType<typeof labPorts>): { port: number; what: string; udp?: boolean }[] {
  const names: Record<number, string> = {};
  for (const [n, p] of Object.entries(ports.redis)) names[p] = `redis ${n}`;
  ports.sentinels.forEach((p, i) => (names[p] = `sentinel ${SENTINELS[i]?.name ?? i}`));
  names[ports.configCentre] = 'config centre';
  names[ports.pgPrimary] = 'postgres primary';
  names[ports.pgStandby] = 'postgres standby';
  names[ports.haproxyFrontend] = 'haproxy frontend';
  names[ports.haproxyAdmin] = 'haproxy admin';
  for (const [dc, p] of Object.entries(ports.dcApps)) names[p] = `dc app ${dc}`;
  names[ports.dns] = 'named';
  return allPorts(ports).map((port) => ({ port, what: names[port] ?? 'lab', udp: port === ports.dns }));
}

function initialState(dir: string, basePort: number): LabState {
  const ports = labPorts(basePort);
  const addr = (p: number): string => `127.0.0.1:${p}`;
  return {
    schemaVersion: LAB_STATE_VERSION,
    dir,
    basePort,
    startedAt: new Date().toISOString(),
    ports,
    processes: [],
    redisGroups: REDIS_GROUPS.map((g) => ({
      name: g.name,
      nodes: [g.master, ...g.replicas].map((n) => ({ name: n.name, addr: addr(basePort + n.offset), dc: n.dc })),
    })),
    sentinels: ports.sentinels.map(addr),
    configCentre: `redis://${addr(ports.configCentre)}`,
    middlewareKey: MIDDLEWARE_KEY,
    pg: { members: [] },
    haproxy: { socket: path.join(dir, 'haproxy', 'admin.sock'), admin: addr(ports.haproxyAdmin), frontend: `http://${addr(ports.haproxyFrontend)}/`, backend: HAPROXY.backend },
    dns: {
      server: addr(ports.dns), zone: DNS.zone, record: DNS.record, keyFile: path.join(dir, 'dns', `${DNS.keyName}.key`),
      keyName: DNS.keyName, algorithm: 'hmac-sha256', addresses: CITY_ADDRESSES,
    },
  };
}

export interface Recorder {
  add(p: LabProcess): Promise<void>;
  set(patch: Partial<LabState>): Promise<void>;
  flush(): Promise<LabState>;
}

/** Collects processes as they start and rewrites lab.json each time, so a failed up can still be downed. */
function recorder(initial: LabState): Recorder {
  let state = initial;
  let chain: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => (chain = chain.then(() => saveLabState(state)));
  return {
    add: (p) => {
      state = { ...state, processes: [...state.processes, p] };
      return save();
    },
    set: (patch) => {
      state = { ...state, ...patch };
      return save();
    },
    flush: async () => {
      await save();
      return state;
    },
  };
}

async function startRedisTier(dir: string, ports: ReturnType<typeof labPorts>, o: LabUpOptions, rec: Recorder): Promise<void> {
  const cc = await startRedisServer({ dir: path.join(dir, 'redis', CONFIG_CENTRE.name), port: ports.configCentre });
  await rec.add({ name: CONFIG_CENTRE.name, kind: 'config-centre', dc: CONFIG_CENTRE.dc, port: ports.configCentre, pid: cc.pid, role: 'master', stopSignal: 'SIGTERM', logFile: cc.logFile });
  await redisCli(ports.configCentre, ['SET', MIDDLEWARE_KEY, MIDDLEWARE_INITIAL_DC]);
  await Promise.all(
    REDIS_GROUPS.map(async (g) => {
      const mPort = ports.redis[g.master.name] ?? 0;
      const m = await startRedisServer({ dir: path.join(dir, 'redis', g.master.name), port: mPort, priority: g.master.priority });
      await rec.add({ name: g.master.name, kind: 'redis', dc: g.master.dc, port: mPort, pid: m.pid, role: `master of ${g.name}`, stopSignal: 'SIGTERM', logFile: m.logFile });
      await Promise.all(
        g.replicas.map(async (r) => {
          const port = ports.redis[r.name] ?? 0;
          const s = await startRedisServer({ dir: path.join(dir, 'redis', r.name), port, replicaOf: mPort, priority: r.priority });
          await rec.add({ name: r.name, kind: 'redis', dc: r.dc, port, pid: s.pid, role: `replica of ${g.name}`, stopSignal: 'SIGTERM', logFile: s.logFile });
          await waitReplicaLinked(port);
        }),
      );
    }),
  );
  await Promise.all(
    SENTINELS.map(async (s, i) => {
      const port = ports.sentinels[i] ?? 0;
      const monitors = REDIS_GROUPS.map((g) => ({ name: g.name, masterPort: ports.redis[g.master.name] ?? 0 }));
      const started = await startSentinel({
        dir: path.join(dir, 'sentinel', s.name), port, monitors, quorum: SENTINEL_QUORUM,
        ...(o.sentinelDownAfterMs === undefined ? {} : { downAfterMs: o.sentinelDownAfterMs }),
        ...(o.sentinelFailoverTimeoutMs === undefined ? {} : { failoverTimeoutMs: o.sentinelFailoverTimeoutMs }),
      });
      await rec.add({ name: s.name, kind: 'sentinel', dc: s.dc, port, pid: started.pid, role: 'sentinel', stopSignal: 'SIGTERM', logFile: started.logFile });
    }),
  );
  await waitSentinelsConverged(ports.sentinels, REDIS_GROUPS.map((g) => ({ name: g.name, replicas: g.replicas.length })));
}

async function startAppTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder): Promise<void> {
  const appDir = path.join(dir, 'apps');
  await mkdir(appDir, { recursive: true });
  await Promise.all(
    DATA_CENTERS.map(async (dc) => {
      const port = ports.dcApps[dc];
      const app = await startDcApp({ dir: appDir, dc, port, configPort: ports.configCentre, key: MIDDLEWARE_KEY });
      await rec.add({ name: `app-${dc}`, kind: 'dc-app', dc, port, pid: app.pid, role: 'app', stopSignal: 'SIGTERM', logFile: app.logFile });
    }),
  );
  const servers = DATA_CENTERS.map((dc) => ({ name: dc, port: ports.dcApps[dc], ready: HAPROXY_READY.includes(dc) }));
  const h = await startHaproxy({ dir: path.join(dir, 'haproxy'), frontendPort: ports.haproxyFrontend, adminPort: ports.haproxyAdmin, backend: HAPROXY.backend, servers });
  await rec.add({ name: HAPROXY.name, kind: 'haproxy', dc: HAPROXY.dc, port: ports.haproxyFrontend, pid: h.pid, role: 'load balancer', stopSignal: 'SIGTERM', pidFile: h.pidFile, logFile: h.logFile });
}

async function startDnsTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder): Promise<void> {
  const b = await startBind({
    dir: path.join(dir, 'dns'), port: ports.dns, zone: DNS.zone, keyName: DNS.keyName, ttlSeconds: DNS.ttlSeconds,
    records: { [DNS.record]: CITY_ADDRESSES.hz },
  });
  await rec.add({ name: DNS.name, kind: 'named', dc: DNS.dc, port: ports.dns, pid: b.pid, role: `primary for ${DNS.zone}`, stopSignal: 'SIGTERM', logFile: b.logFile });
}

async function startPgTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder): Promise<void> {
  const pair = await startPgPair(path.join(dir, 'pg'), ports.pgPrimary, ports.pgStandby, (p) => rec.add(p));
  await rec.set({ pg: { members: pair } });
}
