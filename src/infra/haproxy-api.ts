import net from 'node:net';
import { parseHostPort } from './host-port.js';

/** Why a runtime-API command got no answer. */
export type HaproxyApiFailure = 'cancelled' | 'timeout' | 'unreachable' | 'denied';

export class HaproxyApiError extends Error {
  constructor(
    readonly socket: string,
    readonly failure: HaproxyApiFailure,
    why: string,
  ) {
    super(`haproxy ${socket}: ${why}`);
    this.name = 'HaproxyApiError';
  }
}

export interface HaproxyCommandOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The one client of HAProxy's runtime API: one command over the admin socket — a unix socket path, or
 * host:port / [IPv6]:port for `stats socket ipv4@` — and the whole answer (HAProxy closes the connection
 * after it). Fails within timeoutMs, or at once on abort, with a HaproxyApiError naming the socket.
 */
export function haproxyCommand(socket: string, command: string, o: HaproxyCommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const addr = socket.startsWith('/') || socket.startsWith('.') ? undefined : parseHostPort(socket);
    const conn = addr && !('problem' in addr) ? net.connect({ host: addr.host, port: addr.port }) : net.connect({ path: socket });
    let out = '';
    const fail = (failure: HaproxyApiFailure, why: string): void => {
      conn.destroy();
      o.signal?.removeEventListener('abort', onAbort);
      reject(new HaproxyApiError(socket, failure, why));
    };
    const onAbort = (): void => fail('cancelled', 'cancelled');
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    conn.setTimeout(o.timeoutMs, () => fail('timeout', `no answer to "${command}" within ${o.timeoutMs}ms`));
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d: Buffer) => (out += d.toString('utf8')));
    conn.on('end', () => {
      o.signal?.removeEventListener('abort', onAbort);
      resolve(out);
    });
    conn.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EACCES') fail('denied', `unreachable (${e.code}) (permission denied: run as the socket owner)`);
      else fail('unreachable', `unreachable (${e.code ?? e.message})`);
    });
  });
}
