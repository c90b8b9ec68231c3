import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pollFor, readPidFile } from './process.js';
import { labEnv, mustRun } from './run.js';

export interface NginxOptions {
  /** The prefix (-p): conf/, logs/, tmp/ inside it; created. */
  readonly prefix: string;
  readonly port: number;
  readonly upstream: string;
  /** One server per data center: the first `active` take traffic, the others are `down`. */
  readonly servers: readonly { readonly dc: string; readonly port: number; readonly active: boolean; readonly host?: string }[];
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
}

export interface StartedNginx {
  readonly pid: number;
  readonly pidFile: string;
  readonly logFile: string;
  readonly conf: string;
  readonly upstreamFile: string;
}

/** nginx -p PREFIX/ -c conf/nginx.conf -e logs/error.log: every nginx command of the lab names its own files (lab.md). */
export const nginxArgv = (prefix: string): string[] => ['nginx', '-p', `${prefix}/`, '-c', 'conf/nginx.conf', '-e', 'logs/error.log'];

/**
 * The main config keeps pid, logs and every *_temp_path inside the prefix (the compiled-in defaults are
 * /run, /var/log/nginx and /var/lib/nginx); the upstream lives in its own include file, which the
 * nginx.upstream kind rewrites; /nginx_status is stub_status. A frozen backend holds a request only
 * for the short proxy timeouts, and the next server is tried on an error or a timeout.
 */
export function renderNginxConf(o: NginxOptions): string {
  return `# drctl lab: nginx in front of the DC apps (beside HAProxy)
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path tmp/client_body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  include upstream-${o.upstream}.conf;
  server {
    listen ${o.host ?? '127.0.0.1'}:${o.port};
    location = /nginx_status { stub_status; }
    location / {
      proxy_pass http://${o.upstream};
      proxy_connect_timeout 1s;
      proxy_send_timeout 2s;
      proxy_read_timeout 2s;
      proxy_next_upstream error timeout;
      proxy_buffering off;
    }
  }
}
`;
}

export function renderUpstream(o: NginxOptions): string {
  const lines = o.servers.map((s) => `    server ${s.host ?? '127.0.0.1'}:${s.port}${s.active ? '' : ' down'};`.padEnd(36) + `# ${s.dc}`);
  return `# upstream ${o.upstream}: one server per data center (the nginx.upstream kind rewrites this file)\nupstream ${o.upstream} {\n${lines.join('\n')}\n}\n`;
}

/** Write the config, `nginx -t`, start (the master daemonizes in its own session); resolves when stub_status answers. */
export async function startNginx(o: NginxOptions): Promise<StartedNginx> {
  for (const sub of ['conf', 'logs', 'tmp']) await mkdir(path.join(o.prefix, sub), { recursive: true });
  const conf = path.join(o.prefix, 'conf', 'nginx.conf');
  const upstreamFile = path.join(o.prefix, 'conf', `upstream-${o.upstream}.conf`);
  await writeFile(conf, renderNginxConf(o));
  await writeFile(upstreamFile, renderUpstream(o));
  const argv = nginxArgv(o.prefix);
  await mustRun([...argv, '-t', '-q'], { env: labEnv() });
  await mustRun(argv, { env: labEnv() });
  const pidFile = path.join(o.prefix, 'logs', 'nginx.pid');
  const pid = await pollFor(() => readPidFile(pidFile), `nginx pid file ${pidFile}`);
  await pollFor(
    async () => (await httpGet(o.port, '/nginx_status', 2000, o.host))?.startsWith('Active connections'),
    `nginx on ${o.host ?? '127.0.0.1'}:${o.port} (see ${path.join(o.prefix, 'logs', 'error.log')})`,
  );
  return { pid, pidFile, logFile: path.join(o.prefix, 'logs', 'error.log'), conf, upstreamFile };
}

/** GET path on host:port (127.0.0.1 unless said): the body, or undefined when nothing answers within timeoutMs (2 s: no sub-second client limits). */
export function httpGet(port: number, urlPath: string, timeoutMs = 2000, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: urlPath, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
