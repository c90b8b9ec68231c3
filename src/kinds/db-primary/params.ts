import type { Secret } from '../../util/secret.js';

export interface PgMember {
  readonly name: string;
  readonly dc: string;
  /** postgres://user@host:port/db, or host/port/user/database. */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string | Secret;
  readonly database?: string;
  /**
   * Local control (optional): when drctl runs on the member's host, its data folder lets drctl fence
   * the old primary (pg_ctl stop), prove RPO 0 from its final checkpoint, and fail back with pg_rewind.
   */
  readonly dataDir?: string;
  /** OS user that owns dataDir (commands run as it through runuser when drctl runs as root). */
  readonly osUser?: string;
  /** Network namespace the server runs in (pg_ctl and friends run there: `ip netns exec NS`, root). */
  readonly netns?: string;
  /**
   * Folder of pg_ctl, pg_rewind, pg_controldata. Default: the bin folder of the server's own major version
   * (dataDir/PG_VERSION → /usr/lib/postgresql/V/bin or /usr/pgsql-V/bin), else PATH.
   */
  readonly binDir?: string;
}

export interface DbPrimaryParams {
  readonly members: readonly PgMember[];
  /** Data centers where the primary may be after the step. */
  readonly expectDcs: readonly string[];
  /** Promote this standby (a member name), or true for the most caught-up standby in expectDcs. Absent: wait for the database's own election. */
  readonly promote?: string | boolean;
  /** Promote even when the standby may miss WAL (lag not zero, or the primary unreachable). */
  readonly acceptDataLoss?: boolean | string;
  /** Largest replication lag that still counts as caught up (default 0). */
  readonly maxLagBytes?: number;
  /** How long to wait for the lag to reach maxLagBytes before refusing (default 5s). */
  readonly lagWait?: string;
  /** Connect and query timeout per member (default 2s). */
  readonly connectTimeout?: string;
}

export type MemberRole = 'primary' | 'standby' | 'stopped' | 'unreachable';

export interface MemberView {
  readonly name: string;
  readonly dc: string;
  readonly role: MemberRole;
  /** Primary: pg_current_wal_lsn(); standby: pg_last_wal_replay_lsn(); stopped: its last checkpoint. */
  readonly lsn?: string;
  readonly timeline?: number;
  readonly detail?: string;
}

export interface DbPrimaryState {
  /** The single primary (name), or null when there is none or more than one. */
  readonly primary: string | null;
  readonly primaryDc: string | null;
  readonly primaries: readonly string[];
  readonly members: readonly MemberView[];
  /** Standby name → bytes behind the primary (null when the primary cannot be read). */
  readonly lagBytes: Readonly<Record<string, number | null>>;
  /** Only in a desired state: the data centers the primary must be in. */
  readonly wantDcs?: readonly string[];
}

const member = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'dc'],
  properties: {
    name: { type: 'string', description: 'Member name, e.g. pg-sh-a.' },
    dc: { type: 'string', description: 'Data center of the member.' },
    url: { type: 'string', description: 'postgres://user@host:port/db (alternative to host/port/user/database).' },
    host: { type: 'string' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    user: { type: 'string' },
    password: { type: 'string', description: 'Use ${secret.NAME}.' },
    database: { type: 'string', description: 'Default postgres.' },
    dataDir: {
      type: 'string',
      description: 'Data folder on this host: lets drctl fence (pg_ctl stop), prove RPO 0 and fail back with pg_rewind.',
    },
    osUser: { type: 'string', description: 'OS user owning dataDir (runuser when drctl runs as root).' },
    netns: {
      type: 'string',
      minLength: 1,
      description:
        "Network namespace the server runs in: pg_ctl/pg_rewind run there (ip netns exec NS; root), so a restarted server listens on its own data center's network.",
    },
    binDir: {
      type: 'string',
      description:
        'Folder of pg_ctl/pg_rewind/pg_controldata (default: the bin folder of the version in dataDir/PG_VERSION, /usr/lib/postgresql/V/bin or /usr/pgsql-V/bin; else PATH).',
    },
  },
} as const;

export const dbPrimarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['members', 'expectDcs'],
  properties: {
    members: { type: 'array', minItems: 1, items: member, description: "The database's members (primary and standbys)." },
    expectDcs: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: 'Data centers where the primary may be after the step.',
    },
    promote: {
      oneOf: [{ type: 'string' }, { type: 'boolean' }],
      description:
        "Member name to promote, or true for the most caught-up standby in expectDcs. Absent: wait for the database's own election.",
    },
    acceptDataLoss: { type: ['boolean', 'string'], description: 'Promote even when the standby may miss WAL (default false).' },
    maxLagBytes: { type: 'integer', minimum: 0, description: 'Lag that still counts as caught up (default 0).' },
    lagWait: { type: 'string', description: 'How long to wait for the lag to reach maxLagBytes before refusing (default 5s).' },
    connectTimeout: { type: 'string', description: 'Connect and query timeout per member (default 2s).' },
  },
} as const;

export const isTrue = (v: boolean | string | undefined): boolean => v === true || v === 'true';

/** "16/B374D848" → bytes. */
export function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi ?? '0'}`) << 32n) + BigInt(`0x${lo ?? '0'}`);
}

export function lagOf(primaryLsn: string | undefined, standbyLsn: string | undefined): number | null {
  if (!primaryLsn || !standbyLsn) return null;
  const d = lsnToBigInt(primaryLsn) - lsnToBigInt(standbyLsn);
  return Number(d < 0n ? 0n : d);
}

/** The state the members' views make: the single primary (if one), and each standby's lag behind it. */
export function stateOf(members: readonly MemberView[]): DbPrimaryState {
  const primaries = members.filter((m) => m.role === 'primary');
  const one = primaries.length === 1 ? primaries[0] : undefined;
  const lagBytes: Record<string, number | null> = {};
  for (const m of members) if (m.role === 'standby') lagBytes[m.name] = lagOf(one?.lsn, m.lsn);
  return { primary: one?.name ?? null, primaryDc: one?.dc ?? null, primaries: primaries.map((m) => m.name), members, lagBytes };
}
