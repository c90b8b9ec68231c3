import { mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { labEnv } from './run.js';
import { setTimeout as delay } from 'node:timers/promises';
import { isAlive, spawnDetached } from './process.js';

/**
 * An etcd cluster of real members (Debian's etcd-server) on loopback, one member per city in the lab
 * (lab.md): each in its own session and data folder, stopped by pid. Raft timing as measured there:
 * heartbeat 50 ms / election 500 ms with pre-vote (an election after a leader's SIGKILL ≈ 0.7 s, stable
 * under load), and --grpc-keepalive-min-time 500ms so that drctl's 1 s gRPC pings are accepted.
 */
export interface EtcdMemberSpec {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

export interface StartedEtcdMember extends EtcdMemberSpec {
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
}

export interface EtcdClusterOptions {
  /** Parent folder: DIR/NAME/{data, etcd.log, stdout.log} per member. */
  readonly dir: string;
  readonly members: readonly EtcdMemberSpec[];
  /** Unique per cluster, so members of two clusters never join each other. */
  readonly token: string;
  /** Called as each member starts (the lab records it at once, so a failed start can still be stopped). */
  readonly onStart?: (m: StartedEtcdMember) => Promise<void> | void;
  readonly readyTimeoutMs?: number;
}

const url = (port: number): string => `http://127.0.0.1:${port}`;

/** The argv of one member; `existing`: restart a member of a running cluster from its data folder. */
export function etcdArgv(o: EtcdClusterOptions, m: EtcdMemberSpec, existing = false): string[] {
  const dir = path.join(o.dir, m.name);
  return [
    'etcd',
    '--name',
    m.name,
    '--data-dir',
    path.join(dir, 'data'),
    '--listen-client-urls',
    url(m.clientPort),
    '--advertise-client-urls',
    url(m.clientPort),
    '--listen-peer-urls',
    url(m.peerPort),
    '--initial-advertise-peer-urls',
    url(m.peerPort),
    '--initial-cluster-token',
    o.token,
    '--initial-cluster',
    o.members.map((x) => `${x.name}=${url(x.peerPort)}`).join(','),
    '--initial-cluster-state',
    existing ? 'existing' : 'new',
    '--heartbeat-interval',
    '50',
    '--election-timeout',
    '500',
    '--pre-vote=true',
    '--grpc-keepalive-min-time=500ms',
    '--listen-metrics-urls',
    '',
    '--logger',
    'zap',
    '--log-level',
    'warn',
    '--log-outputs',
    path.join(dir, 'etcd.log'),
  ];
}

/** Start one member (its folder made first); does not wait for it. */
export async function startEtcdMember(o: EtcdClusterOptions, m: EtcdMemberSpec, existing = false): Promise<StartedEtcdMember> {
  const dir = path.join(o.dir, m.name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const logFile = path.join(dir, 'stdout.log');
  // only PATH: etcd 3.4 refuses to start when an ETCD_* variable shadows a flag
  const pid = spawnDetached(etcdArgv(o, m, existing), { logFile, env: { PATH: labEnv().PATH ?? '/usr/bin:/bin' }, onlyEnv: true });
  return { ...m, pid, dataDir: path.join(dir, 'data'), logFile: path.join(dir, 'etcd.log') };
}

/** Start every member and wait until each reports itself healthy (a leader elected, the member caught up). */
export async function startEtcdCluster(o: EtcdClusterOptions): Promise<StartedEtcdMember[]> {
  const started: StartedEtcdMember[] = [];
  for (const m of o.members) {
    const s = await startEtcdMember(o, m);
    started.push(s);
    await o.onStart?.(s);
  }
  await Promise.all(started.map((m) => waitEtcdHealthy(m.clientPort, o.readyTimeoutMs, m)));
  return started;
}

/** Wait until the member answers healthy; a member process that exited fails at once with its last log line. */
export async function waitEtcdHealthy(clientPort: number, timeoutMs = 20_000, member?: StartedEtcdMember): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await etcdHealthy(clientPort))) {
    if (member && !isAlive(member.pid)) {
      const last = (await readFile(member.logFile, 'utf8').catch(() => '')).trim().split('\n').at(-1) ?? '';
      throw new Error(
        `etcd ${member.name} (127.0.0.1:${clientPort}) exited: ${(/"error":"([^"]*)"/.exec(last)?.[1] ?? last) || 'see its log'}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for etcd 127.0.0.1:${clientPort} to be healthy`);
    await delay(50);
  }
}

/** GET /health on the client port: true when the member has a leader and answers. */
export async function etcdHealthy(clientPort: number, timeoutMs = 1_000): Promise<boolean> {
  const r = await gateway(clientPort, 'GET', '/health', undefined, timeoutMs).catch(() => undefined);
  return (r as { health?: unknown } | undefined)?.health === 'true';
}

export interface EtcdMemberStatus {
  readonly name: string;
  /** uint64 as text (JSON numbers would lose precision). */
  readonly id: string;
  readonly endpoint: string;
  readonly reachable: boolean;
  readonly leader: boolean;
}

/**
 * Members and leader as the cluster reports them, through the JSON gateway of each member's client port
 * (no client library needed): a member that does not answer within timeoutMs (2 s: in-process, so a busy
 * machine does not trip it; a frozen member does) is unreachable.
 */
export async function etcdClusterStatus(
  clientPorts: readonly number[],
  timeoutMs = 2000,
): Promise<{ readonly members: readonly EtcdMemberStatus[]; readonly leader: string | null }> {
  const statuses = await Promise.all(
    clientPorts.map(
      (p) =>
        gateway(p, 'POST', '/v3/maintenance/status', {}, timeoutMs).catch(() => undefined) as Promise<
          { header?: { member_id?: string }; leader?: string } | undefined
        >,
    ),
  );
  let list: { members?: { ID?: string; name?: string; clientURLs?: string[] }[] } | undefined;
  for (const p of clientPorts) {
    list = (await gateway(p, 'POST', '/v3/cluster/member/list', {}, timeoutMs).catch(() => undefined)) as typeof list;
    if (list?.members) break;
  }
  const reachable = new Set(statuses.flatMap((s) => (s?.header?.member_id ? [s.header.member_id] : [])));
  const leaders = new Set(statuses.flatMap((s) => (s?.leader && s.leader !== '0' ? [s.leader] : [])));
  const leaderId = leaders.size === 1 ? [...leaders][0] : undefined;
  const members = (list?.members ?? [])
    .map((m) => ({
      name: m.name ?? '?',
      id: m.ID ?? '?',
      endpoint: (m.clientURLs?.[0] ?? '').replace(/^https?:\/\//, ''),
      reachable: m.ID !== undefined && reachable.has(m.ID),
      leader: m.ID !== undefined && m.ID === leaderId,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { members, leader: members.find((m) => m.leader)?.name ?? null };
}

function gateway(port: number, method: 'GET' | 'POST', route: string, body: unknown, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: route, timeout: timeoutMs, headers: { 'content-type': 'application/json' } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(data));
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
