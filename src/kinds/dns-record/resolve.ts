import { promises as dnsPromises } from 'node:dns';
import { stepError } from '../types.js';
import { normalizeValue, type RecordType, type ServerAnswer } from './params.js';

/** Ask one authoritative server (host:port) for the rrset; NXDOMAIN/NODATA is an empty answer. */
export async function queryServer(server: string, fqdn: string, type: RecordType, timeoutMs: number, signal: AbortSignal): Promise<ServerAnswer> {
  const r = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([server]);
  const onAbort = (): void => r.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    switch (type) {
      case 'A':
      case 'AAAA': {
        const rows = type === 'A' ? await r.resolve4(fqdn, { ttl: true }) : await r.resolve6(fqdn, { ttl: true });
        return { values: rows.map((x) => normalizeValue(type, x.address)).sort(), ...(rows[0] ? { ttl: rows[0].ttl } : {}) };
      }
      case 'CNAME':
        return { values: (await r.resolveCname(fqdn)).map((v) => normalizeValue(type, v)).sort() };
      case 'TXT':
        return { values: (await r.resolveTxt(fqdn)).map((chunks) => chunks.join('')).sort() };
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENODATA' || code === 'ENOTFOUND') return { values: [] };
    if (code === 'EREFUSED') {
      throw stepError(`dns ${server}: refuses queries for ${fqdn} (not authoritative for the zone?)`, { retryable: false });
    }
    if (signal.aborted) throw stepError(`dns ${server}: cancelled`);
    return { values: [], error: code === 'ETIMEOUT' || code === 'ECANCELLED' ? `no answer within ${timeoutMs}ms` : `unreachable (${code || String(e)})` };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
