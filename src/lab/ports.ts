import { readFileSync } from 'node:fs';
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

/** Resolve when something accepts TCP connections on host:port (127.0.0.1 unless said). */
export function canConnect(port: number, timeoutMs = 2000, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
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
  53: 'DNS (named)',
  80: 'HTTP',
  443: 'HTTPS',
  953: 'BIND rndc',
  3306: 'MySQL/MariaDB',
  5353: 'mDNS (avahi)',
  5432: 'PostgreSQL',
  2379: 'etcd',
  2380: 'etcd peers',
  6379: 'Redis',
  8404: 'HAProxy stats',
  26379: 'Redis Sentinel',
};

/** "redis cache-a-hz-a on 6379, the default port of Redis" for every lab port that is a package default. */
export function packageDefaultClashes(ports: readonly { port: number; what: string }[]): string[] {
  return ports
    .filter((p) => PACKAGE_DEFAULT_PORTS[p.port] !== undefined)
    .map((p) => `${p.what} on ${p.port}, the default port of ${PACKAGE_DEFAULT_PORTS[p.port] ?? ''}`);
}

/** Ports a lab spans above its base (base + 0..LAB_PORT_SPAN). */
export const LAB_PORT_SPAN = 80;

/**
 * The kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range; else the IANA range).
 * A lab never goes there: every outgoing connection and every `listen(0)` takes a port from it, and
 * one landing in a lab's range between the free-check and the bind would take a server's port.
 */
export function ephemeralPortRange(): readonly [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo !== undefined && hi !== undefined && Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi) return [lo, hi];
  } catch {
    // not Linux: fall through
  }
  return [49152, 65535];
}

/**
 * A base port for a private lab (tests, the benchmark): its whole span free on loopback (TCP and UDP),
 * outside the ephemeral range and clear of the packages' default ports, picked at random so labs
 * started at the same time rarely meet. Between 10000 and the ephemeral range (or above it).
 */
export async function pickFreeBasePort(): Promise<number> {
  const [lo, hi] = ephemeralPortRange();
  const candidates: number[] = [];
  const add = (from: number, to: number): void => {
    for (let b = Math.ceil(from / 10) * 10; b + LAB_PORT_SPAN <= to; b += 10) candidates.push(b);
  };
  add(10_000, lo - 1);
  add(hi + 1, 65_535);
  for (let attempt = 0; attempt < 50 && candidates.length > 0; attempt++) {
    const base = candidates.splice(Math.floor(Math.random() * candidates.length), 1)[0] as number;
    const span = Array.from({ length: LAB_PORT_SPAN + 1 }, (_, i) => base + i);
    if (span.some((p) => PACKAGE_DEFAULT_PORTS[p] !== undefined)) continue;
    let free = true;
    for (const p of span) if (!(free = await isPortFree(p, true))) break;
    if (free) return base;
  }
  throw new Error('no free range of lab ports below the ephemeral range');
}
