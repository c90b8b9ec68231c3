import path from 'node:path';
import { startMariadbPair } from './mariadb-pair.js';
import { startNginx } from './nginx.js';
import type { Recorder } from './tiers.js';
import { hostOf, type LabNet } from './net.js';
import { DATA_CENTERS, HAPROXY_READY, NGINX, type labPorts } from './topology.js';

/** MariaDB primary (hz-a) + GTID replica (sh-a); lab.json names them, the password file and any private folder. */
export async function startMariadbTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder): Promise<void> {
  let privateRoot: string | undefined;
  const files = { passwordFile: path.join(dir, 'mariadb-password'), clientCnf: path.join(dir, 'mariadb-client.cnf') };
  const pair = await startMariadbPair(
    dir,
    ports.mariadbPrimary,
    ports.mariadbReplica,
    (p) => rec.add(p),
    async (root) => {
      privateRoot = root;
      // recorded first: a failed up still removes it
      await rec.set({ mysql: { members: [], ...files, ...(root === undefined ? {} : { privateRoot: root }) } });
    },
  );
  await rec.set({
    mysql: {
      members: pair.members,
      passwordFile: pair.passwordFile,
      clientCnf: pair.clientCnf,
      ...(privateRoot === undefined ? {} : { privateRoot }),
    },
  });
}

/** Nginx beside HAProxy, in front of the same apps: the data centers HAProxy starts ready are active, the others down. */
export async function startNginxTier(dir: string, ports: ReturnType<typeof labPorts>, rec: Recorder, net?: LabNet): Promise<void> {
  const prefix = path.join(dir, 'nginx');
  const servers = DATA_CENTERS.map((dc) => ({ dc, port: ports.dcApps[dc], active: HAPROXY_READY.includes(dc), host: hostOf(net, dc) }));
  const n = await startNginx({ prefix, port: ports.nginx, upstream: NGINX.upstream, servers, host: hostOf(net, NGINX.dc) });
  await rec.add({
    name: NGINX.name,
    kind: 'nginx',
    dc: NGINX.dc,
    port: ports.nginx,
    pid: n.pid,
    role: 'load balancer',
    stopSignal: 'SIGTERM',
    pidFile: n.pidFile,
    logFile: n.logFile,
  });
}
