import http from 'node:http';
import type { ProbeView } from './params.js';

/** Requests in flight at once: a burst this small is nothing to a balancer, and the check takes one round trip. */
const AT_ONCE = 10;

/**
 * GET url `samples` times, each on a new connection (so the balancer picks again), up to ten at once;
 * tally the bodies. Concurrent requests are balanced as sequential ones are (each new connection gets
 * the next server), so the check costs one round trip instead of `samples`.
 */
export async function probeTraffic(url: string, samples: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeView> {
  signal.throwIfAborted();
  const seen: Record<string, number> = {};
  let errors = 0;
  let lastError: string | undefined;
  let next = 0;
  // one abort listener for the whole check (not one per request: ten at once would pass Node's
  // listener limit on the step's signal), destroying whatever is in flight
  const inFlight = new Set<http.ClientRequest>();
  const onAbort = (): void => inFlight.forEach((req) => req.destroy(new Error('aborted')));
  signal.addEventListener('abort', onAbort, { once: true });
  const worker = async (): Promise<void> => {
    while (next < samples && !signal.aborted) {
      next++;
      try {
        const body = (await getOnce(url, timeoutMs, inFlight)).trim();
        seen[body] = (seen[body] ?? 0) + 1;
      } catch (e) {
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : e;
        errors++;
        lastError = e instanceof Error ? e.message : String(e);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, samples) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  signal.throwIfAborted();
  return { seen, errors, ...(lastError === undefined ? {} : { lastError }) };
}

function getOnce(url: string, timeoutMs: number, inFlight: Set<http.ClientRequest>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode ?? '?'}`)),
      );
      res.on('error', reject);
    });
    inFlight.add(req);
    req.on('close', () => inFlight.delete(req));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
  });
}
