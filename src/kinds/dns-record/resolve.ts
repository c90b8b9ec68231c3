import { stepError } from '../../model/kind.js';
import { normalizeValue, type RecordType, type ServerAnswer } from './params.js';
import { NoReply, queryDns } from './query.js';
import { RCODE, recordText, soaMinimum, TYPE } from './wire.js';

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

/**
 * Ask one authoritative server (host:port) for the rrset, with its TTL (every type). NXDOMAIN/NODATA is
 * an empty answer whose negativeTtl (the SOA's, RFC 2308) is how long resolvers may remember "none".
 * A server that refuses the zone fails the step; no reply, or a non-authoritative one, is an error value.
 */
export async function queryServer(
  server: string,
  fqdn: string,
  type: RecordType,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ServerAnswer> {
  let reply;
  try {
    reply = await queryDns(server, fqdn, TYPE[type], timeoutMs, signal);
  } catch (e) {
    if (signal.aborted) throw stepError(`dns ${server}: cancelled`);
    return { values: [], error: e instanceof NoReply ? e.message : `unreachable (${String(e)})` };
  }
  if (reply.rcode === RCODE.REFUSED) {
    throw stepError(`dns ${server}: refuses queries for ${fqdn} (not authoritative for the zone?)`, { retryable: false });
  }
  if (reply.rcode !== RCODE.NOERROR && reply.rcode !== RCODE.NXDOMAIN)
    return { values: [], error: `answered rcode ${reply.rcode} for ${fqdn}` };
  if (!reply.authoritative) return { values: [], error: `answer for ${fqdn} is not authoritative (zone not loaded?)` };
  const rrs = reply.answers.filter((rr) => rr.type === TYPE[type] && sameName(rr.name, fqdn));
  if (rrs.length === 0) {
    const soa = reply.authority.find((rr) => rr.type === TYPE.SOA);
    return { values: [], ...(soa ? { negativeTtl: Math.min(soa.ttl, soaMinimum(soa)) } : {}) };
  }
  return { values: rrs.map((rr) => normalizeValue(type, recordText(rr))).sort(), ttl: Math.min(...rrs.map((rr) => rr.ttl)) };
}
