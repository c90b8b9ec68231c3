import { isIPv4, isIPv6 } from 'node:net';
import { hostPortProblemText, parseHostPort } from '../../infra/host-port.js';
import { parseDuration } from '../../util/duration.js';
import { defineKind } from '../define-kind.js';
import { HOLDS, notYet, stepError, type Holds, type KindContext } from '../../model/kind.js';
import { assessRecord } from './assess.js';
import { sendUpdate } from './nsupdate.js';
import { dnsRecordSchema, fqdnOf, normalizeValue, toValues, type DnsRecordParams, type DnsRecordState } from './params.js';
import { queryServer } from './resolve.js';
import { askAll, notWaitedText } from '../survivors.js';

export type { DnsRecordParams, DnsRecordState } from './params.js';

const DEFAULT_TTL = 60;
const DEFAULT_TIMEOUT_MS = 2000;

const updateServer = (p: DnsRecordParams): string => p.server ?? p.servers?.[0] ?? '';
const verifyServers = (p: DnsRecordParams): readonly string[] => p.servers ?? (p.server ? [p.server] : []);
const timeoutOf = (p: DnsRecordParams): number => (p.queryTimeout ? parseDuration(p.queryTimeout) : undefined) ?? DEFAULT_TIMEOUT_MS;
const wanted = (p: DnsRecordParams): string[] =>
  toValues(p.to)
    .map((v) => normalizeValue(p.type, v))
    .sort();
const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const show = (values: readonly string[]): string => (values.length === 0 ? '(none)' : values.join(', '));
/** How long clients may keep the answer `s` gives (a record's TTL, or the negative-caching TTL of "none"). */
const oldAnswerTtl = (s: DnsRecordState): number | undefined => (s.values.length > 0 ? s.ttl : s.negativeTtl);

async function observeRecord(p: DnsRecordParams, ctx: KindContext): Promise<DnsRecordState> {
  const fqdn = fqdnOf(p);
  const servers = [...new Set([updateServer(p), ...verifyServers(p)])].filter((s) => s !== '');
  if (servers.length === 0) throw stepError('dns.record: give server or servers', { retryable: false });
  // every server at once; one in a lost data center (ctx.lost) is not waited for
  const answers = await askAll({
    members: servers,
    ctx,
    dcOf: (s) => p.dcs?.[s],
    ask: async (s, ctx) => [s, await queryServer(s, fqdn, p.type, timeoutOf(p), ctx.signal)] as const,
    silent: (s, dc) => [s, { values: [], error: notWaitedText(dc), lostDc: dc }] as const,
    onNotWaited: (ss) => ctx.note('serversNotWaitedFor', ss),
  });
  const byServer = Object.fromEntries(answers);
  const primary = byServer[updateServer(p)];
  if (!primary || answers.every(([, a]) => a.error !== undefined)) {
    throw stepError(`dns ${answers.map(([s, a]) => `${s}: ${a.error ?? 'no answer'}`).join('; ')}`);
  }
  return {
    fqdn,
    type: p.type,
    values: primary.values,
    servers: byServer,
    ...(primary.ttl === undefined ? {} : { ttl: primary.ttl }),
    ...(primary.negativeTtl === undefined ? {} : { negativeTtl: primary.negativeTtl }),
  };
}

/** Every server named in the runbook answers exactly the desired rrset, with the desired TTL or less. */
function holdsRecord(p: DnsRecordParams, desired: DnsRecordState, current: DnsRecordState): Holds {
  const named = verifyServers(p).length ? verifyServers(p) : [updateServer(p)];
  // a server in a lost data center is verified once it is back, not waited for; the update server always is
  const checked = named.filter((s) => current.servers[s]?.lostDc === undefined);
  for (const s of checked.length > 0 ? checked : [updateServer(p)]) {
    const a = current.servers[s];
    if (!a || a.error) return notYet(`dns ${s}: ${a?.error ?? 'no answer'} for ${current.fqdn} ${current.type}`);
    if (!same(a.values, desired.values))
      return notYet(`dns ${s}: ${current.fqdn} ${current.type} is ${show(a.values)}, want ${show(desired.values)}`);
    if (desired.values.length > 0 && desired.ttl !== undefined && a.ttl !== undefined && a.ttl > desired.ttl) {
      return notYet(`dns ${s}: ${current.fqdn} ${current.type} TTL is ${a.ttl}, want ${desired.ttl}`);
    }
  }
  return HOLDS;
}

async function update(
  p: DnsRecordParams,
  current: DnsRecordState,
  values: readonly string[],
  ttl: number,
  ctx: KindContext,
): Promise<void> {
  const at = updateServer(p);
  const primary = current.servers[at];
  if (!primary || primary.error) throw stepError(`dns ${at}: ${primary?.error ?? 'no answer'}: cannot update ${current.fqdn}`);
  await sendUpdate(
    p,
    { server: at, zone: p.zone, fqdn: current.fqdn, type: p.type, expect: primary.values, values, ttl, timeoutMs: timeoutOf(p) },
    ctx,
  );
}

export const dnsRecordKind = defineKind<DnsRecordParams, DnsRecordState>({
  name: 'dns.record',
  description: 'Change a DNS record by a TSIG-signed, conditional RFC 2136 update; verify on every authoritative server.',
  paramsSchema: dnsRecordSchema,
  outputNames: ['values', 'ttlSeconds'],
  check(p) {
    const problems: { path: (string | number)[]; message: string }[] = [];
    if (!p.server && !p.servers?.length) problems.push({ path: [], message: 'give server (host:port) or servers' });
    if (!p.key && !p.keyFile) problems.push({ path: [], message: 'give key {name, secret} or keyFile (a tsig-keygen key file)' });
    if (p.key && p.keyFile) problems.push({ path: ['keyFile'], message: 'give key or keyFile, not both' });
    const serverProblem = (s: string, path: (string | number)[]): void => {
      const e = s.includes('${') ? undefined : parseHostPort(s, 53);
      if (e && 'problem' in e) problems.push({ path, message: hostPortProblemText(s, e, 'host[:port]') });
    };
    if (p.server !== undefined) serverProblem(p.server, ['server']);
    (p.servers ?? []).forEach((s, i) => serverProblem(s, ['servers', i]));
    const literal = (v: string): boolean => !v.includes('${');
    const values = typeof p.to === 'string' ? [p.to] : p.to;
    values.forEach((v, i) => {
      const path = typeof p.to === 'string' ? ['to'] : ['to', i];
      if (p.type === 'A' && literal(v) && !isIPv4(v)) problems.push({ path, message: `"${v}" is not an IPv4 address (type A)` });
      if (p.type === 'AAAA' && literal(v) && !isIPv6(v)) problems.push({ path, message: `"${v}" is not an IPv6 address (type AAAA)` });
    });
    if (p.queryTimeout !== undefined && !p.queryTimeout.includes('${') && parseDuration(p.queryTimeout) === undefined) {
      problems.push({ path: ['queryTimeout'], message: `bad duration "${p.queryTimeout}": use e.g. 500ms, 2s` });
    }
    return problems;
  },
  observe: observeRecord,
  decide(p, current) {
    const ttl = p.ttl ?? current.ttl ?? DEFAULT_TTL;
    const desired: DnsRecordState = { fqdn: current.fqdn, type: p.type, values: wanted(p), ttl, servers: {} };
    if (holdsRecord(p, desired, current).ok && (current.ttl === undefined || current.ttl === ttl)) {
      return { action: 'noop', reason: `${current.fqdn} ${p.type} already ${show(current.values)}` };
    }
    if (current.values.length === 0 && desired.values.length > 0 && p.create !== true && p.create !== 'true') {
      throw stepError(
        `dns.record: no ${p.type} record ${current.fqdn} on ${updateServer(p)} (zone ${p.zone}): check the name, or set create: true to create it`,
        { retryable: false },
      );
    }
    return { action: 'change', desired };
  },
  async apply(p, change, ctx) {
    ctx.note('ttlSeconds', oldAnswerTtl(change.current) ?? null); // clients may keep the old answer this long
    await update(p, change.current, change.desired.values, change.desired.ttl ?? p.ttl ?? DEFAULT_TTL, ctx);
  },
  holds: holdsRecord,
  assess: assessRecord,
  async rollback(p, change, ctx) {
    // Restore the rrset and its TTL as observed before; an empty before deletes the record.
    await update(p, change.current, change.desired.values, change.desired.ttl ?? p.ttl ?? DEFAULT_TTL, ctx);
  },
  describe(p, before, after) {
    const head = `dns ${before.fqdn} ${p.type}: ${show(before.values)}`;
    if (!after) return head;
    const ttl = oldAnswerTtl(before);
    // a TTL-only change reads as one (the values do not move)
    const ttlChange =
      before.ttl !== undefined && after.ttl !== undefined && before.ttl !== after.ttl ? `, TTL ${before.ttl}s → ${after.ttl}s` : '';
    return `${head} → ${show(after.values)}${ttlChange}${ttl === undefined ? '' : ` (clients may keep the old answer up to ${ttl}s)`}`;
  },
  outputs: (_p, s) => ({ values: s.values, ttlSeconds: s.ttl ?? null }),
  verifyIntervalMs: 50,
});
