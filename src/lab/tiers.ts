import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startBind } from './bind.js';
import { startDcApp } from './dc-apps.js';
import { startHaproxy } from './haproxy.js';
import { startPgPair } from './pg-pair.js';
import { placePgRoot } from './pg-root.js';
import { redisCli, startRedisServer, waitReplicaLinked } from './redis.js';
import { startSentinel, waitSentinelsConverged } from './sentinel.js';
import {
  CITY_ADDRESSES,
  CONFIG_CENTRE,
  DATA_CENTERS,
  DNS,
  HAPROXY,
  HAPROXY_READY,
  type DataCenter,
  type labPorts,
  MIDDLEWARE_INITIAL_DC,
  MIDDLEWARE_KEY,
  REDIS_GROUPS,
  SENTINEL_QUORUM,
  SENTINELS,
} from './topology.js';
import type { LabProcess, LabServerKind, LabState } from './types.js';
import { hostOf, nsOf, serverHost, type LabNet } from './net.js';

/** The lab's four tiers, started in parallel by labUp; each reports its processes as they start. */

export interface TierOptions {
  readonly sentinelDownAfterMs?: number;
  readonly sentinelFailoverTimeoutMs?: number;
}

/** Where a server binds and runs: its data center's address and namespace (net.ts). */
const at = (net: LabNet | undefined, kind: LabServerKind, dc: DataCenter): { host: string; ns?: string } => {
  const ns = nsOf(net, kind, dc);
  return { host: serverHost(net, kind, dc), ...(ns === undefined ? {} : { ns }) };
};

export interface Recorder {
  add(p: LabProcess): Promise<void>;
  set(patch: Partial<LabState>): Promise<void>;
  flush(): Promise<LabState>;
}

export async function startRedisTier(
  dir: string,
  ports: ReturnType<typeof labPorts>,
  o: TierOptions,
  rec: Recorder,
  net?: LabNet,
): Promise<void> {
  const ccAt = at(net, 'config-centre', CONFIG_CENTRE.dc);
  const cc = await startRedisServer({ dir: path.join(dir, 'redis', CONFIG_CENTRE.name), port: ports.configCentre, ...ccAt });
  await rec.add({
    name: CONFIG_CENTRE.name,
    kind: 'config-centre',
    dc: CONFIG_CENTRE.dc,
    port: ports.configCentre,
    pid: cc.pid,
    role: 'master',
    stopSignal: 'SIGTERM',
    logFile: cc.logFile,
  });
  await redisCli(ports.configCentre, ['SET', MIDDLEWARE_KEY, MIDDLEWARE_INITIAL_DC], undefined, ccAt.host);
  await Promise.all(
    REDIS_GROUPS.map(async (g) => {
      const mPort = ports.redis[g.master.name] ?? 0;
      const mAt = at(net, 'redis', g.master.dc);
      const m = await startRedisServer({
        dir: path.join(dir, 'redis', g.master.name),
        port: mPort,
        priority: g.master.priority,
        ...mAt,
      });
      await rec.add({
        name: g.master.name,
        kind: 'redis',
        dc: g.master.dc,
        port: mPort,
        pid: m.pid,
        role: `master of ${g.name}`,
        stopSignal: 'SIGTERM',
        logFile: m.logFile,
      });
      await Promise.all(
        g.replicas.map(async (r) => {
          const port = ports.redis[r.name] ?? 0;
          const rAt = at(net, 'redis', r.dc);
          const s = await startRedisServer({
            dir: path.join(dir, 'redis', r.name),
            port,
            replicaOf: mPort,
            replicaOfHost: mAt.host,
            priority: r.priority,
            ...rAt,
          });
          await rec.add({
            name: r.name,
            kind: 'redis',
            dc: r.dc,
            port,
            pid: s.pid,
            role: `replica of ${g.name}`,
            stopSignal: 'SIGTERM',
            logFile: s.logFile,
          });
          await waitReplicaLinked(port, rAt.host);
        }),
      );
    }),
  );
  await Promise.all(
    SENTINELS.map(async (s, i) => {
      const port = ports.sentinels[i] ?? 0;
      const monitors = REDIS_GROUPS.map((g) => ({ name: g.name, masterPort: ports.redis[g.master.name] ?? 0 }));
      const started = await startSentinel({
        dir: path.join(dir, 'sentinel', s.name),
        port,
        monitors,
        host: hostOf(net, s.dc),
        masterHosts: Object.fromEntries(REDIS_GROUPS.map((g) => [g.name, hostOf(net, g.master.dc)])),
        quorum: SENTINEL_QUORUM,
        ...(o.sentinelDownAfterMs === undefined ? {} : { downAfterMs: o.sentinelDownAfterMs }),
        ...(o.sentinelFailoverTimeoutMs === undefined ? {} : { failoverTimeoutMs: o.sentinelFailoverTimeoutMs }),
      });
      await rec.add({
        name: s.name,
        kind: 'sentinel',
        dc: s.dc,
        port,
        pid: started.pid,
        role: 'sentinel',
        stopSignal: 'SIGTERM',
        logFile: started.logFile,
      });
    }),
  );
  await waitSentinelsConverged(
    ports.sentinels,
    REDIS_GROUPS.map((g) => ({ name: g.name, replicas: g.replicas.length })),
    undefined,
    hostOf(net, SENTINELS[0]?.dc ?? 'sh-a'),
  );
}

export async function startAppTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder, net?: LabNet): Promise<void> {
  const inLoopback = net?.mode !== 'netns';
  const appDir = path.join(dir, 'apps');
  await mkdir(appDir, { recursive: true });
  await Promise.all(
    DATA_CENTERS.map(async (dc) => {
      const port = ports.dcApps[dc];
      const { host, ns } = at(net, 'dc-app', dc);
      const where = inLoopback ? {} : { host, configHost: hostOf(net, CONFIG_CENTRE.dc), ...(ns === undefined ? {} : { ns }) };
      const app = await startDcApp({ dir: appDir, dc, port, configPort: ports.configCentre, key: MIDDLEWARE_KEY, ...where });
      await rec.add({
        name: `app-${dc}`,
        kind: 'dc-app',
        dc,
        port,
        pid: app.pid,
        role: 'app',
        stopSignal: 'SIGTERM',
        logFile: app.logFile,
      });
    }),
  );
  const servers = DATA_CENTERS.map((dc) => ({
    name: dc,
    port: ports.dcApps[dc],
    ready: HAPROXY_READY.includes(dc),
    host: hostOf(net, dc),
  }));
  const h = await startHaproxy({
    host: hostOf(net, HAPROXY.dc),
    dir: path.join(dir, 'haproxy'),
    frontendPort: ports.haproxyFrontend,
    adminPort: ports.haproxyAdmin,
    backend: HAPROXY.backend,
    servers,
  });
  await rec.add({
    name: HAPROXY.name,
    kind: 'haproxy',
    dc: HAPROXY.dc,
    port: ports.haproxyFrontend,
    pid: h.pid,
    role: 'load balancer',
    stopSignal: 'SIGTERM',
    pidFile: h.pidFile,
    logFile: h.logFile,
  });
}

export async function startDnsTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder, net?: LabNet): Promise<void> {
  const b = await startBind({
    host: hostOf(net, DNS.dc),
    dir: path.join(dir, 'dns'),
    port: ports.dns,
    zone: DNS.zone,
    keyName: DNS.keyName,
    ttlSeconds: DNS.ttlSeconds,
    records: { [DNS.record]: CITY_ADDRESSES.hz },
  });
  await rec.add({
    name: DNS.name,
    kind: 'named',
    dc: DNS.dc,
    port: ports.dns,
    pid: b.pid,
    role: `primary for ${DNS.zone}`,
    stopSignal: 'SIGTERM',
    logFile: b.logFile,
  });
}

export async function startPgTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder, net?: LabNet): Promise<void> {
  const { root, privateRoot } = await placePgRoot(dir);
  const where = privateRoot === undefined ? {} : { privateRoot };
  await rec.set({ pg: { members: [], ...where } }); // recorded first: a failed up still removes it
  const pair = await startPgPair(root, ports.pgPrimary, ports.pgStandby, (p) => rec.add(p), net);
  await rec.set({ pg: { members: pair, ...where } });
}
