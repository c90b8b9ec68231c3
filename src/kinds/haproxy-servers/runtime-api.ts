import net from 'node:net';
import { stepError } from '../../model/kind.js';

/**
 * One command over HAProxy's runtime API (a unix socket path, or host:port for `stats socket ipv4@`).
 * Resolves with the answer text; fails within timeoutMs or on abort with a message naming the socket.
 */
export function runtimeCommand(socket: string, command: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const m = /^([^/].*):(\d+)$/.exec(socket);
    const conn = m ? net.connect({ host: m[1] ?? '', port: Number(m[2]) }) : net.connect({ path: socket });
    let out = '';
    const fail = (why: string, retryable = true): void => {
      conn.destroy();
      signal.removeEventListener('abort', onAbort);
      reject(stepError(`haproxy ${socket}: ${why}`, { retryable }));
    };
    const onAbort = (): void => fail('cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    conn.setTimeout(timeoutMs, () => fail(`no answer to "${command}" within ${timeoutMs}ms`));
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d) => (out += d.toString('utf8')));
    conn.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(out);
    });
    conn.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'EACCES' ? ' (permission denied: run as the socket owner)' : '';
      fail(`unreachable (${e.code ?? e.message})${hint}`, e.code !== 'EACCES');
    });
  });
}

export type ServerAdminState = 'ready' | 'drain' | 'maint';

export interface ServerView {
  readonly state: ServerAdminState;
  readonly weight: number;
  /** Operational state running (passes health checks). */
  readonly up: boolean;
}

// srv_admin_state bits (HAProxy server.h): FMAINT 0x01, IMAINT 0x02, CMAINT 0x04 (config origin only),
// FDRAIN 0x08, IDRAIN 0x10, RMAINT 0x20, HMAINT 0x40.
const MAINT_BITS = 0x01 | 0x02 | 0x20 | 0x40;
const DRAIN_BITS = 0x08 | 0x10;

/** Parse `show servers state BACKEND` (format version 1). */
export function parseServersState(text: string): Record<string, ServerView> {
  const out: Record<string, ServerView> = {};
  for (const line of text.split('\n')) {
    if (!/^\d+ /.test(line)) continue;
    const f = line.split(' ');
    const admin = Number(f[6]);
    const state: ServerAdminState = admin & MAINT_BITS ? 'maint' : admin & DRAIN_BITS ? 'drain' : 'ready';
    out[f[3] ?? '?'] = { state, weight: Number(f[7]), up: f[5] === '2' };
  }
  return out;
}
