import { createSocket } from 'node:dgram';
import net from 'node:net';
import { labRefused } from './errors.js';

/** Can we bind 127.0.0.1:port (TCP, and UDP when asked)? */
export async function isPortFree(port: number, udp = false): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
  if (!tcp || !udp) return tcp;
  return new Promise<boolean>((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
  });
}

/** Throw one clear message naming every busy port (and what it was meant for). */
export async function assertPortsFree(ports: readonly { port: number; what: string; udp?: boolean }[]): Promise<void> {
  const busy: string[] = [];
  for (const p of ports) {
    if (!(await isPortFree(p.port, p.udp ?? false))) busy.push(`127.0.0.1:${p.port} (${p.what})`);
  }
  if (busy.length > 0) {
    throw labRefused(`lab ports already in use: ${busy.join(', ')}`, 'stop what uses them, or pick another base port (--base-port)');
  }
}

/** Resolve when something accepts TCP connections on 127.0.0.1:port. */
export function canConnect(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Ports the Debian packages' own services (started on install where systemd runs) or common tools
 * listen on: the lab never takes one (lab.md), or it would collide with, or be mistaken for, them.
 */
export const PACKAGE_DEFAULT_PORTS: Readonly<Record<number, string>> = {
  53: 'DNS (named)', 80: 'HTTP', 443: 'HTTPS', 953: 'BIND rndc', 5353: 'mDNS (avahi)', 5432: 'PostgreSQL',
  6379: 'Redis', 8404: 'HAProxy stats', 26379: 'Redis Sentinel',
};

/** "redis cache-a-hz-a on 6379, the default port of Redis" for every lab port that is a package default. */
export function packageDefaultClashes(ports: readonly { port: number; what: string }[]): string[] {
  return ports.filter((p) => PACKAGE_DEFAULT_PORTS[p.port] !== undefined).map((p) => `${p.what} on ${p.port}, the default port of ${PACKAGE_DEFAULT_PORTS[p.port] ?? ''}`);
}
