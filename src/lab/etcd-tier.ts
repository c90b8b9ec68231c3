import path from 'node:path';
import { etcdClusterStatus, startEtcdCluster } from './etcd.js';
import type { DataCenter } from './topology.js';
import type { LabEtcd, LabProcess, LabState, LabStatus } from './types.js';

/**
 * The lab's etcd cluster: one member per city (Hangzhou, Shanghai, Shenzhen), so that the cut of any
 * one city leaves a majority — the store several controllers share (`--state etcd://…`, rules
 * `--store etcd://…`). Ports: base+72..74 (clients), base+75..77 (peers).
 */
export const ETCD_MEMBERS: readonly {
  readonly name: string;
  readonly dc: DataCenter;
  readonly clientOffset: number;
  readonly peerOffset: number;
}[] = [
  { name: 'etcd-hz', dc: 'hz-a', clientOffset: 72, peerOffset: 75 },
  { name: 'etcd-sh', dc: 'sh-a', clientOffset: 73, peerOffset: 76 },
  { name: 'etcd-sz', dc: 'sz-a', clientOffset: 74, peerOffset: 77 },
];

/** The ports the cluster takes above the lab's base port, for the free-port check. */
export function etcdLabPorts(base: number): { port: number; what: string }[] {
  return ETCD_MEMBERS.flatMap((m) => [
    { port: base + m.clientOffset, what: `${m.name} client` },
    { port: base + m.peerOffset, what: `${m.name} peer` },
  ]);
}

/** What lab.json says about the cluster before it starts (so `lab status` and a failed `lab up` can find it). */
export function labEtcd(base: number): LabEtcd {
  const endpoints = ETCD_MEMBERS.map((m) => `127.0.0.1:${base + m.clientOffset}`);
  return {
    endpoints,
    url: `etcd://${endpoints.join(',')}/drctl`,
    members: ETCD_MEMBERS.map((m) => ({ name: m.name, dc: m.dc, clientPort: base + m.clientOffset, peerPort: base + m.peerOffset })),
  };
}

export async function startEtcdTier(dir: string, basePort: number, add: (p: LabProcess) => Promise<void>): Promise<void> {
  const etcd = labEtcd(basePort);
  await startEtcdCluster({
    dir: path.join(dir, 'etcd'),
    token: `drctl-lab-${basePort}`,
    members: etcd.members,
    onStart: (m) =>
      add({
        name: m.name,
        kind: 'etcd',
        dc: etcd.members.find((x) => x.name === m.name)?.dc ?? 'sz-a',
        port: m.clientPort,
        pid: m.pid,
        role: 'etcd member',
        stopSignal: 'SIGTERM',
        logFile: m.logFile,
        dataDir: m.dataDir,
      }),
  });
}

/** `lab status`: the members, which ones answer, and the leader (uint64 ids kept as text). */
export async function etcdLabStatus(state: LabState): Promise<LabStatus['etcd']> {
  const etcd = state.etcd;
  if (!etcd) return undefined;
  const live = await etcdClusterStatus(etcd.members.map((m) => m.clientPort));
  const byEndpoint = new Map(live.members.map((m) => [m.endpoint, m]));
  return {
    url: etcd.url,
    endpoints: etcd.endpoints,
    leader: live.leader,
    members: etcd.members.map((m) => {
      const s = byEndpoint.get(`127.0.0.1:${m.clientPort}`);
      return {
        name: m.name,
        dc: m.dc,
        endpoint: `127.0.0.1:${m.clientPort}`,
        id: s?.id ?? null,
        reachable: s?.reachable ?? false,
        leader: s?.leader ?? false,
      };
    }),
  };
}
