import { mkdir, writeFile } from 'node:fs/promises';
import { haproxyCommand } from '../infra/haproxy-api.js';
import path from 'node:path';
import { pollFor, readPidFile } from './process.js';
import { mustRun } from './run.js';

export interface HaproxyOptions {
  readonly dir: string;
  readonly frontendPort: number;
  /** TCP admin socket (level admin) on 127.0.0.1, in addition to the unix socket. */
  readonly adminPort: number;
  readonly backend: string;
  readonly servers: readonly { readonly name: string; readonly port: number; readonly ready: boolean; readonly host?: string }[];
  /** Address of the frontend and the TCP admin socket (default 127.0.0.1). */
  readonly host?: string;
}

/** The path of the lab frontend that HAProxy answers itself (monitor-uri). */
export const HAPROXY_MONITOR_URI = '/haproxy_status';

export function renderHaproxyConfig(o: HaproxyOptions, socketPath: string): string {
  return [
    'global',
    `  stats socket ${socketPath} mode 600 level admin`,
    `  stats socket ipv4@${o.host ?? '127.0.0.1'}:${o.adminPort} level admin`,
    '  stats timeout 10s',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 5s',
    '  timeout server 3s',
    '  timeout check 500ms',
    '  retries 1',
    '  option redispatch',
    'frontend fe',
    `  bind ${o.host ?? '127.0.0.1'}:${o.frontendPort}`,
    // HAProxy answers this path itself (200 while it runs), whatever the backends: a readiness check of
    // HAProxy that still holds when every server behind it is lost (a frozen Hangzhou makes `/` hang).
    `  monitor-uri ${HAPROXY_MONITOR_URI}`,
    `  default_backend ${o.backend}`,
    `backend ${o.backend}`,
    '  balance roundrobin',
    '  option httpchk GET /health',
    '  default-server inter 500ms fall 2 rise 1',
    // Servers that do not take traffic at start are `disabled` (maintenance); the LB switch readies them.
    ...o.servers.map((s) => `  server ${s.name} ${s.host ?? '127.0.0.1'}:${s.port} check${s.ready ? '' : ' disabled'}`),
    '',
  ].join('\n');
}

/** Start HAProxy (daemon, own session); resolves when its admin socket answers. */
export async function startHaproxy(o: HaproxyOptions): Promise<{ pid: number; logFile: string; pidFile: string; socket: string }> {
  await mkdir(o.dir, { recursive: true });
  const socket = path.join(o.dir, 'admin.sock');
  const cfg = path.join(o.dir, 'haproxy.cfg');
  const pidFile = path.join(o.dir, 'haproxy.pid');
  const logFile = path.join(o.dir, 'haproxy.log');
  await writeFile(cfg, renderHaproxyConfig(o, socket));
  await mustRun(['haproxy', '-c', '-q', '-f', cfg]);
  await mustRun(['haproxy', '-f', cfg, '-D', '-p', pidFile]);
  const pid = await pollFor(() => readPidFile(pidFile), 'haproxy pid file');
  await pollFor(
    async () => (await haproxyCommand(socket, 'show info', { timeoutMs: 2000 })).includes('Name:'),
    `haproxy admin socket ${socket}`,
  );
  return { pid, logFile, pidFile, socket };
}
