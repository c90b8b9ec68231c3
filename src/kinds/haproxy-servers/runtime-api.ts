import { HaproxyApiError, haproxyCommand } from '../../infra/haproxy-api.js';
import { stepError } from '../../model/kind.js';

/**
 * One command over HAProxy's runtime API (infra/haproxy-api.ts), failing as a step does: a message naming
 * the socket; retryable, except a permission refusal (running again as the same user will not help).
 */
export async function runtimeCommand(socket: string, command: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  try {
    return await haproxyCommand(socket, command, { timeoutMs, signal });
  } catch (e) {
    if (e instanceof HaproxyApiError) throw stepError(e.message, { retryable: e.failure !== 'denied', cause: e });
    throw e;
  }
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
