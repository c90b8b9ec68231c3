import { isIP } from 'node:net';
import type pg from 'pg';
import { isSecret } from '../../util/secret.js';
import { stepError } from '../../model/kind.js';
import type { PgMember } from './params.js';

/** Every field drctl connects with, explicit: nothing left for pg (or libpq) to take from PG* variables or ~/.pgpass. */
export interface PgEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly password: string | undefined;
  readonly ssl: boolean;
}

/** Thrown inside pg's handshake when the server asks for a password and the member has none. */
export class NoPasswordConfigured extends Error {
  readonly noPassword = true as const;
  constructor() {
    super('the server asks for a password and none is configured');
  }
}

const reveal = (v: PgMember['password']): string | undefined => (isSecret(v) ? v.reveal() : v);
const decode = (s: string): string => decodeURIComponent(s);

/** A member's endpoint: from its url (postgres://user:password@host:port/db?sslmode=...) or its fields, with drctl's defaults. */
export function endpointOf(m: PgMember): PgEndpoint {
  const fields = {
    host: m.host ?? '127.0.0.1',
    port: m.port ?? 5432,
    user: m.user ?? 'postgres',
    database: m.database ?? 'postgres',
    password: reveal(m.password),
    ssl: false,
  };
  if (!m.url) return fields;
  let u: URL;
  try {
    u = new URL(m.url);
  } catch {
    throw stepError(`postgres ${m.name}: bad url (want postgres://user@host:port/db)`, { retryable: false });
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw stepError(`postgres ${m.name}: bad url scheme "${u.protocol}" (want postgres://user@host:port/db)`, { retryable: false });
  }
  const sslmode = u.searchParams.get('sslmode');
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || fields.host,
    port: u.port ? Number(u.port) : fields.port,
    user: decode(u.username) || fields.user,
    database: decode(u.pathname.slice(1)) || fields.database,
    password: fields.password ?? (u.password ? decode(u.password) : undefined),
    ssl: sslmode !== null && sslmode !== 'disable',
  };
}

/**
 * A pg Client that reads no environment. pg takes any falsy field from PG* variables (connection-
 * parameters.js val()) and, with no password, from PGPASSWORD or ~/.pgpass: every field is given; the
 * password is a function (pg calls it only when the server asks, and then never looks elsewhere); the
 * two fields without a neutral value (options, replication) are cleared after construction.
 */
export function createPgClient(Client: typeof pg.Client, e: PgEndpoint, timeoutMs: number): pg.Client {
  const config: pg.ClientConfig & { sslnegotiation: 'postgres' } = {
    host: e.host,
    port: e.port,
    user: e.user,
    database: e.database,
    password: () => {
      if (e.password === undefined) throw new NoPasswordConfigured();
      return e.password;
    },
    ssl: e.ssl,
    sslnegotiation: 'postgres',
    client_encoding: 'utf8',
    application_name: 'drctl',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  };
  const client = new Client(config);
  const fromEnv = client as unknown as { replication?: unknown; connectionParameters: { options?: unknown; replication?: unknown } };
  fromEnv.connectionParameters.options = undefined;
  fromEnv.connectionParameters.replication = undefined;
  fromEnv.replication = undefined;
  return client;
}

/**
 * libpq (pg_rewind's --source-server) reads PG* too: its conninfo names every field (hostaddr too when the
 * host is an address, so PGHOSTADDR cannot redirect it), and the environment pins the password and an
 * empty password file.
 */
export function libpqConninfo(e: PgEndpoint, applicationName: string): { conninfo: string; env: Record<string, string> } {
  const q = (v: string | number): string => `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const conninfo = [
    `host=${q(e.host)}`,
    ...(isIP(e.host) ? [`hostaddr=${q(e.host)}`] : []),
    `port=${q(e.port)}`,
    `user=${q(e.user)}`,
    `dbname=${q(e.database)}`,
    `application_name=${q(applicationName)}`,
    `sslmode=${e.ssl ? 'require' : 'disable'}`,
    "options=''",
    'target_session_attrs=any',
    'connect_timeout=10',
  ].join(' ');
  return { conninfo, env: { PGPASSWORD: e.password ?? '', PGPASSFILE: '/dev/null' } };
}
