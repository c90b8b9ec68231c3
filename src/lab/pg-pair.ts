import path from 'node:path';
import { cloneStandby, initPrimary, ownPgRoot, PG_DB_USER, PG_OS_USER, startPostgres } from './postgres.js';
import { pgBinDir } from './run.js';
import { PG_PRIMARY, PG_STANDBY } from './topology.js';
import type { LabPgMember, LabProcess } from './types.js';
import { NETNS_BRIDGE, nsOf, serverHost, type LabNet } from './net.js';

/**
 * PostgreSQL primary (hz-a) + streaming standby (sh-a) under root (made a folder owned by postgres; the
 * postgres user must be able to reach it: see pg-root.ts).
 * Each process is reported through onStarted as soon as it runs, so a failed start can be cleaned up.
 */
export async function startPgPair(
  root: string,
  primaryPort: number,
  standbyPort: number,
  onStarted: (p: LabProcess) => Promise<void>,
  net?: LabNet,
): Promise<LabPgMember[]> {
  const netns = net?.mode === 'netns';
  // netns: every address of the server's own namespace (a config pg_rewind copies from the other side still fits)
  const listen = netns ? '*' : '127.0.0.1';
  const trustNet = netns ? `${NETNS_BRIDGE.host.replace(/\.\d+$/, '.0')}/${NETNS_BRIDGE.prefix}` : undefined;
  const primaryHost = serverHost(net, 'postgres', PG_PRIMARY.dc);
  await ownPgRoot(root);
  const socketDir = root;
  const members: LabPgMember[] = [];
  const nodes = [
    { spec: PG_PRIMARY, port: primaryPort, role: 'primary' },
    { spec: PG_STANDBY, port: standbyPort, role: 'standby' },
  ] as const;
  for (const n of nodes) {
    const dataDir = path.join(root, n.spec.dc);
    const logFile = path.join(root, `${n.spec.dc}.log`);
    const host = serverHost(net, 'postgres', n.spec.dc);
    const ns = nsOf(net, 'postgres', n.spec.dc);
    if (n.role === 'primary') await initPrimary(dataDir, n.port, socketDir, listen, trustNet);
    else await cloneStandby(dataDir, primaryPort, n.port, primaryHost);
    const pid = await startPostgres(dataDir, n.port, logFile, host, ns);
    await onStarted({
      name: n.spec.name,
      kind: 'postgres',
      dc: n.spec.dc,
      port: n.port,
      pid,
      role: n.role,
      stopSignal: 'SIGINT',
      pidFile: path.join(dataDir, 'postmaster.pid'),
      logFile,
      dataDir,
    });
    members.push({
      name: n.spec.name,
      dc: n.spec.dc,
      host,
      port: n.port,
      ...(ns === undefined ? {} : { netns: ns }),
      user: PG_DB_USER,
      dataDir,
      osUser: PG_OS_USER,
      binDir: pgBinDir(),
    });
  }
  return members;
}
