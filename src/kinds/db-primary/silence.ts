import net from 'node:net';
import type { KindContext } from '../../model/kind.js';

/**
 * A member that gave no answer within connectTimeout (frozen, or cut) is left a probe: one TCP
 * connection carrying PostgreSQL's SSLRequest, which any live postmaster answers with one byte. While
 * the probe waits, the member is still silent: the next observe in the same step attempt (verify's
 * polls) says so at once instead of waiting connectTimeout again. The moment it answers (thawed, link
 * back) or fails, the member is observed in full again; and never trusted for longer than TRUST_MS after
 * it was left (a dropped SYN is retried by the kernel with backoff: a fresh connection may get through
 * sooner). Counted from the probe, not from the first attempt: a connectTimeout of TRUST_MS or more must
 * not make every verify poll wait it again.
 * Probes end with the attempt's signal or at TRUST_MS, and never keep the process alive.
 */
const TRUST_MS = 2000;
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

interface Probe {
  /** When the member was first asked and gave no answer (for "no answer for N ms"). */
  readonly sinceMs: number;
  /** When the probe was left (the connect timeout over): it is trusted for TRUST_MS from then. */
  readonly leftAtMs: number;
  open: boolean;
  readonly socket: net.Socket;
}

const probes = new WeakMap<KindContext, Map<string, Probe>>();

/** ms the member has been silent, when a probe of this attempt is still waiting for it (and is recent enough to trust). */
export function silentFor(ctx: KindContext, host: string, port: number): number | undefined {
  const key = `${host}:${port}`;
  const p = probes.get(ctx)?.get(key);
  if (!p) return undefined;
  const now = ctx.clock.monotonic();
  if (p.open && now - p.leftAtMs < TRUST_MS) return now - p.sinceMs;
  p.socket.destroy();
  probes.get(ctx)?.delete(key);
  return undefined;
}

/**
 * The member just gave no answer within the connect timeout: watch for its first answer. `hello` is what
 * the probe says first (PostgreSQL's SSLRequest); null for servers that speak first (MySQL's greeting).
 */
export function leaveProbe(ctx: KindContext, host: string, port: number, silentSinceMs: number, hello: Buffer | null = SSL_REQUEST): void {
  const map = probes.get(ctx) ?? new Map<string, Probe>();
  probes.set(ctx, map);
  map.get(`${host}:${port}`)?.socket.destroy();
  const socket = net.connect({ host, port });
  const probe: Probe = { sinceMs: silentSinceMs, leftAtMs: ctx.clock.monotonic(), open: true, socket };
  const end = (): void => {
    probe.open = false;
    socket.destroy();
    ctx.signal.removeEventListener('abort', end);
  };
  socket.unref();
  socket.setTimeout(TRUST_MS, end);
  socket.on('connect', () => {
    if (hello !== null) socket.write(hello);
  });
  socket.on('data', end);
  socket.on('error', end);
  socket.on('close', end);
  ctx.signal.addEventListener('abort', end, { once: true });
  map.set(`${host}:${port}`, probe);
}
