import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { assertLabBinaries } from './binaries.js';
import { labDown } from './down.js';
import { labFailed, labInvalid, labRefused } from './errors.js';
import { removePrivatePgRoot } from './pg-root.js';
import { assertPortsFree, LAB_PORT_SPAN, packageDefaultClashes } from './ports.js';
import { etcdLabPorts, labEtcd, startEtcdTier } from './etcd-tier.js';
import { isAlive } from './process.js';
import { isRoot } from './run.js';
import { livePid, loadLabState, saveLabState } from './state-file.js';
import { startAppTier, startDnsTier, startPgTier, startRedisTier, type Recorder } from './tiers.js';
import { startMariadbTier, startNginxTier } from './tiers-mariadb-nginx.js';
import { PRIVATE_MARIADB_PREFIX } from './mariadb-pair.js';
import { removePrivateRoot } from './private-root.js';
import {
  allPorts,
  CITY_ADDRESSES,
  CONFIG_CENTRE,
  type DataCenter,
  DEFAULT_BASE_PORT,
  DNS,
  HAPROXY,
  labPorts,
  MIDDLEWARE_KEY,
  NGINX,
  REDIS_GROUPS,
  SENTINELS,
} from './topology.js';
import { hostOf, LOOPBACK, netnsNet, type LabNet } from './net.js';
import { busyNetns, createLabNetns, deleteLabNetns, insideNetns, netnsUnavailable } from './netns.js';
import { LAB_STATE_FILE, LAB_STATE_VERSION, type LabProcess, type LabState } from './types.js';

export interface LabUpOptions {
  /** The lab folder (all state, logs and lab.json); created. */
  readonly dir: string;
  /** Ports are basePort + fixed offsets (default 27100 → 27100..27160). */
  readonly basePort?: number;
  readonly sentinelDownAfterMs?: number;
  readonly sentinelFailoverTimeoutMs?: number;
  /**
   * Network namespaces (net.ts): each data center's servers bind its own address, hz-a and hz-b behind a
   * veth each (cut-able by fault.link). Root; runs inside the core namespace (the CLI re-runs itself there
   * after makeNetnsLab).
   */
  readonly netns?: boolean;
}

/**
 * Start the estate on loopback: Redis groups + 3 Sentinels, the config centre, PostgreSQL primary +
 * streaming standby, MariaDB primary + GTID replica, 5 DC apps behind HAProxy and Nginx, BIND9. Refuses when a lab described by dir/lab.json is
 * running. On failure, stops whatever it started and throws.
 */
export async function labUp(options: LabUpOptions): Promise<LabState> {
  const dir = path.resolve(options.dir);
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  await refuseIfRunning(dir);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + LAB_PORT_SPAN > 65535) {
    throw labInvalid(`--base-port must be an integer between 1024 and ${65535 - LAB_PORT_SPAN}, got ${basePort}`);
  }
  const ports = labPorts(basePort);
  const clashes = packageDefaultClashes(portList(ports, basePort));
  if (clashes.length > 0) {
    throw labInvalid(
      `--base-port ${basePort} would put ${clashes.join('; ')}: the lab never uses the packages' ports; pick another base port (default ${DEFAULT_BASE_PORT})`,
    );
  }
  assertLabBinaries();
  const net = options.netns ? netnsNet(basePort) : LOOPBACK;
  if (net.core !== undefined && !insideNetns(net.core)) {
    throw labInvalid(`--netns: the lab starts from inside its core namespace ${net.core} (drctl lab up --netns does it: run that)`);
  }
  await assertPortsFree(portList(ports, basePort));
  await resetLabDir(dir);
  if (isRoot()) await chmod(dir, 0o755);

  const state = initialState(dir, basePort, net);
  const rec = recorder(state);
  await rec.flush();
  const results = await Promise.allSettled([
    startRedisTier(dir, ports, options, rec, net),
    startAppTier(dir, ports, rec, net),
    startDnsTier(dir, ports, rec, net),
    startPgTier(dir, ports, rec, net),
    startEtcdTier(dir, basePort, (p) => rec.add(p)),
    startMariadbTier(dir, ports, rec),
    startNginxTier(dir, ports, rec, net),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await labDown(dir, { graceMs: 2000 });
    const why = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
    throw labFailed(`lab up failed (everything started was stopped; logs in ${dir}): ${why}`);
  }
  return rec.flush();
}

/**
 * `lab up --netns`, before the CLI re-runs itself inside the core namespace: refuse if a lab runs in dir,
 * then make the namespaces afresh (net.ts: names from the base port). Returns the core namespace.
 */
export async function makeNetnsLab(options: { dir: string; basePort?: number }): Promise<string> {
  const why = await netnsUnavailable();
  if (why !== undefined) throw labInvalid(`--netns ${why}; without --netns the lab runs on loopback`);
  await refuseIfRunning(path.resolve(options.dir));
  const net = netnsNet(options.basePort ?? DEFAULT_BASE_PORT);
  const busy = await busyNetns(net);
  if (busy.length > 0) {
    throw labRefused(
      `--netns: namespace ${busy.join(', ')} is in use: another lab runs on base port ${options.basePort ?? DEFAULT_BASE_PORT}`,
      'drctl lab down --dir ITS_DIR, or pick another --base-port',
    );
  }
  await createLabNetns(net);
  return net.core ?? '';
}

/** After `lab up --netns` failed inside the namespace: delete them unless a lab.json there still names them. */
export async function abandonNetnsLab(options: { dir: string; basePort?: number }): Promise<void> {
  const state = await loadLabState(path.resolve(options.dir)).catch(() => undefined);
  if (state?.net === undefined) await deleteLabNetns(netnsNet(options.basePort ?? DEFAULT_BASE_PORT));
}

async function refuseIfRunning(dir: string): Promise<void> {
  const existing = await loadLabState(dir);
  if (!existing) return;
  const alive: LabProcess[] = [];
  for (const p of existing.processes) if (isAlive(await livePid(p))) alive.push(p);
  const first = alive[0];
  if (first) {
    throw labRefused(
      `a lab is already running in ${dir} (${alive.length} processes, e.g. ${first.name} pid ${first.pid} on port ${first.port}): run "drctl lab down" first`,
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
  if (entries.length > 0) {
    const previous = await loadLabState(dir);
    await removePrivatePgRoot(previous?.pg.privateRoot);
    await removePrivateRoot(previous?.mysql?.privateRoot, PRIVATE_MARIADB_PREFIX);
  }
  for (const e of entries) await rm(path.join(dir, e), { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

function portList(ports: ReturnType<typeof labPorts>, basePort: number): { port: number; what: string; udp?: boolean }[] {
  const names: Record<number, string> = {};
  for (const [n, p] of Object.entries(ports.redis)) names[p] = `redis ${n}`;
  ports.sentinels.forEach((p, i) => (names[p] = `sentinel ${SENTINELS[i]?.name ?? i}`));
  names[ports.configCentre] = 'config centre';
  names[ports.pgPrimary] = 'postgres primary';
  names[ports.pgStandby] = 'postgres standby';
  names[ports.mariadbPrimary] = 'mariadb primary';
  names[ports.mariadbReplica] = 'mariadb replica';
  names[ports.nginx] = 'nginx';
  names[ports.haproxyFrontend] = 'haproxy frontend';
  names[ports.haproxyAdmin] = 'haproxy admin';
  for (const [dc, p] of Object.entries(ports.dcApps)) names[p] = `dc app ${dc}`;
  names[ports.dns] = 'named';
  return [...allPorts(ports).map((port) => ({ port, what: names[port] ?? 'lab', udp: port === ports.dns })), ...etcdLabPorts(basePort)];
}

function initialState(dir: string, basePort: number, net: LabNet): LabState {
  const ports = labPorts(basePort);
  const addr = (p: number, dc: DataCenter = 'sz-a'): string => `${hostOf(net, dc)}:${p}`;
  return {
    ...(net.mode === 'netns' ? { net } : {}),
    schemaVersion: LAB_STATE_VERSION,
    dir,
    basePort,
    startedAt: new Date().toISOString(),
    ports,
    processes: [],
    redisGroups: REDIS_GROUPS.map((g) => ({
      name: g.name,
      nodes: [g.master, ...g.replicas].map((n) => ({ name: n.name, addr: addr(basePort + n.offset, n.dc), dc: n.dc })),
    })),
    sentinels: ports.sentinels.map((p, i) => addr(p, SENTINELS[i]?.dc)),
    configCentre: `redis://${addr(ports.configCentre, CONFIG_CENTRE.dc)}`,
    middlewareKey: MIDDLEWARE_KEY,
    pg: { members: [] },
    haproxy: {
      socket: path.join(dir, 'haproxy', 'admin.sock'),
      admin: addr(ports.haproxyAdmin, HAPROXY.dc),
      frontend: `http://${addr(ports.haproxyFrontend, HAPROXY.dc)}/`,
      backend: HAPROXY.backend,
    },
    mysql: { members: [], passwordFile: path.join(dir, 'mariadb-password'), clientCnf: path.join(dir, 'mariadb-client.cnf') },
    nginx: {
      prefix: path.join(dir, 'nginx'),
      conf: 'conf/nginx.conf',
      upstream: NGINX.upstream,
      upstreamFile: path.join(dir, 'nginx', 'conf', `upstream-${NGINX.upstream}.conf`),
      frontend: `http://${addr(ports.nginx, NGINX.dc)}/`,
      status: `http://${addr(ports.nginx, NGINX.dc)}/nginx_status`,
    },
    dns: {
      server: addr(ports.dns, DNS.dc),
      zone: DNS.zone,
      record: DNS.record,
      keyFile: path.join(dir, 'dns', `${DNS.keyName}.key`),
      keyName: DNS.keyName,
      algorithm: 'hmac-sha256',
      addresses: CITY_ADDRESSES,
    },
    etcd: labEtcd(basePort),
  };
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
