import type { Secret } from '../../util/secret.js';
import { canonicalIpv6 } from './wire.js';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface TsigKey {
  readonly name: string;
  /** Default hmac-sha256. */
  readonly algorithm?: string;
  readonly secret: Secret | string;
}

export interface DnsRecordParams {
  /** Primary server (host:port) that takes the RFC 2136 update. Default: servers[0]. */
  readonly server?: string;
  /** Authoritative servers to observe and verify (host:port). Default: [server]. */
  readonly servers?: readonly string[];
  readonly zone: string;
  /** Record name, relative to the zone ("cashier") or absolute ("cashier.example.test."). */
  readonly name: string;
  readonly type: RecordType;
  readonly to: string | readonly string[];
  /** TTL of the new records, seconds (default: the record's current TTL, else 60). */
  readonly ttl?: number;
  /** Create the record when it does not exist (default false: a name that resolves to nothing is a mistake, e.g. a typo). */
  readonly create?: boolean | string;
  /** TSIG key given as a secret... */
  readonly key?: TsigKey;
  /** ...or a tsig-keygen key file (relative to the runbook). */
  readonly keyFile?: string;
  /** Timeout of one query or update (default 2s). */
  readonly queryTimeout?: string;
  /** Where each server lives (host:port → data center): what drctl assess weighs against the lost ones. */
  readonly dcs?: Readonly<Record<string, string>>;
}

export interface ServerAnswer {
  readonly values: readonly string[];
  /** TTL of the rrset (when it has records). */
  readonly ttl?: number;
  /** No such rrset: how long resolvers may cache that answer (RFC 2308: the SOA's TTL or MINIMUM, the lower). */
  readonly negativeTtl?: number;
  readonly error?: string;
  /** A server in a lost data center (ctx.lost) that had not answered when the others had: not waited for, not verified. */
  readonly lostDc?: string;
}

export interface DnsRecordState {
  /** Absolute name without the final dot. */
  readonly fqdn: string;
  readonly type: RecordType;
  /** What the update server answers (sorted); the rrset the conditional update requires. */
  readonly values: readonly string[];
  /** TTL of the rrset on the update server; a desired state: the TTL to set. */
  readonly ttl?: number;
  /** When the rrset does not exist: how long resolvers may remember that. */
  readonly negativeTtl?: number;
  /** Every authoritative server's answer. */
  readonly servers: Readonly<Record<string, ServerAnswer>>;
}

export const dnsRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['zone', 'name', 'type', 'to'],
  properties: {
    server: { type: 'string', description: 'Primary server host:port that takes the RFC 2136 update (default: servers[0]).' },
    servers: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: 'Authoritative servers host:port to observe and verify (default: [server]).',
    },
    zone: { type: 'string', description: 'Zone, e.g. example.test.' },
    name: { type: 'string', description: 'Record name relative to the zone (cashier) or absolute with a final dot.' },
    type: { type: 'string', enum: [...RECORD_TYPES] },
    to: {
      oneOf: [{ type: 'string' }, { type: 'array', minItems: 0, items: { type: 'string' } }],
      description: 'New value(s): the whole rrset; [] deletes it.',
    },
    ttl: {
      type: 'integer',
      minimum: 0,
      maximum: 2147483647,
      description: 'TTL of the new records in seconds (default: the current TTL, else 60).',
    },
    create: {
      type: 'boolean',
      description:
        'Create the record when it does not exist (default false: a missing record fails the step, naming server, zone and name).',
    },
    key: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'secret'],
      description: 'TSIG key: name, algorithm (default hmac-sha256), secret (use ${secret.NAME}).',
      properties: { name: { type: 'string' }, algorithm: { type: 'string' }, secret: { type: 'string' } },
    },
    keyFile: { type: 'string', description: 'Alternative to key: a tsig-keygen key file, relative to the runbook.' },
    queryTimeout: { type: 'string', description: 'Timeout of one query or update (default 2s).' },
    dcs: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Where each server lives: host:port → data center (drctl assess checks an authoritative server survives).',
    },
  },
} as const;

export const toValues = (to: string | readonly string[]): string[] => (typeof to === 'string' ? [to] : [...to]);

export function fqdnOf(p: Pick<DnsRecordParams, 'name' | 'zone'>): string {
  const zone = p.zone.replace(/\.$/, '');
  if (p.name.endsWith('.')) return p.name.slice(0, -1);
  if (p.name === '@' || p.name === '') return zone;
  return `${p.name}.${zone}`;
}

/** Canonical form for comparing values (case of names, the final dot of CNAME targets). */
export function normalizeValue(type: RecordType, v: string): string {
  if (type === 'CNAME') return v.replace(/\.$/, '').toLowerCase();
  if (type === 'AAAA') return canonicalIpv6(v);
  return v;
}
