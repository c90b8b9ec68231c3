import type { Secret } from '../../util/secret.js';

export interface MysqlMember {
  readonly name: string;
  readonly dc: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string | Secret;
}

export interface MysqlPrimaryParams {
  readonly members: readonly MysqlMember[];
  /** Data centers where the primary may be after the step. */
  readonly expectDcs: readonly string[];
  /** Promote this member, or true for the most caught-up replica in expectDcs. Absent: wait for orchestrator/MHA to elect. */
  readonly promote?: string | boolean;
  /** Compare-and-set: refuse unless the primary (the writable member) is this one before the step changes anything. */
  readonly expectedPrimary?: string;
  /** Promote even when the candidate may miss transactions (the primary does not answer, or the catch-up did not finish). */
  readonly acceptDataLoss?: boolean | string;
  /** Lag ceiling: refuse before fencing when the candidate has not applied more than this many of the primary's transactions. */
  readonly maxLagTransactions?: number;
  /** How long the fenced primary waits for the candidate to apply its last transaction before the step refuses (default 5s). */
  readonly lagWait?: string;
  /** Connect timeout and statement timeout per member (default 2s). */
  readonly connectTimeout?: string;
  /** The account replicas use to connect to the new primary (CHANGE MASTER / CHANGE REPLICATION SOURCE). Needed to promote and to roll back. */
  readonly replication?: { readonly user: string; readonly password?: string | Secret; readonly connectRetry?: number };
  /** Kill the fenced primary's client connections (default true): open transactions end, pooled clients reconnect elsewhere. */
  readonly killConnections?: boolean | string;
}

export type Flavor = 'mariadb' | 'mysql';
export type MysqlRole = 'primary' | 'replica' | 'read-only' | 'unreachable';

export interface ReplicationView {
  /** The member it replicates from (its name), or host:port when that is not a member. */
  readonly source: string;
  /** Yes / No / Connecting (as the server says). */
  readonly io: string;
  readonly sql: string;
  readonly ioError?: string;
  readonly sqlError?: string;
  readonly secondsBehind: number | null;
  /** Transactions received (MariaDB Gtid_IO_Pos; MySQL Retrieved_Gtid_Set). */
  readonly received?: string;
}

export interface MysqlMemberView {
  readonly name: string;
  readonly dc: string;
  /** primary = writable (read_only off); replica = read-only and replicating; read-only = read-only, no replication (a fenced primary). */
  readonly role: MysqlRole;
  readonly flavor?: Flavor;
  readonly version?: string;
  readonly serverId?: number;
  readonly readOnly?: boolean;
  /** MySQL only (MariaDB has no super_read_only: READ ONLY ADMIN users still write). */
  readonly superReadOnly?: boolean;
  /** Every transaction it has (MariaDB: gtid_binlog_pos and gtid_slave_pos, newest per domain; MySQL: gtid_executed). */
  readonly gtid?: string;
  readonly logBin?: boolean;
  /** MySQL's gtid_mode: the kind needs ON (positions, waits and auto-positioning are all by GTID). */
  readonly gtidMode?: string;
  readonly replication?: ReplicationView;
  readonly detail?: string;
}

export interface MysqlPrimaryState {
  /** The single writable member (name), or null when there is none or more than one. */
  readonly primary: string | null;
  readonly primaryDc: string | null;
  /** Every writable member that answered: more than one is a split brain. */
  readonly writable: readonly string[];
  readonly members: readonly MysqlMemberView[];
  /** Replica name → transactions of the primary it has not applied (null when the primary cannot be read). */
  readonly lag: Readonly<Record<string, number | null>>;
  /** Only in a desired state: the data centers the primary must be in. */
  readonly wantDcs?: readonly string[];
  /** Only in a desired state: members that must replicate from the primary, both threads running. */
  readonly followers?: readonly string[];
}

const secretOrString = { type: 'string', description: 'Use ${secret.NAME}: never written in the runbook.' };

const member = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'dc'],
  properties: {
    name: { type: 'string' },
    dc: { type: 'string' },
    host: { type: 'string', description: 'Default 127.0.0.1.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Default 3306.' },
    user: { type: 'string', description: 'Default root. Needs to set read_only, kill connections and manage replication.' },
    password: secretOrString,
  },
} as const;

export const mysqlPrimarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['members', 'expectDcs'],
  properties: {
    members: {
      type: 'array',
      minItems: 1,
      items: member,
      description: "The database's members (primary and replicas), each with its data center.",
    },
    expectDcs: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: 'Data centers where the primary may be after the step.',
    },
    promote: {
      oneOf: [{ type: 'string' }, { type: 'boolean' }],
      description:
        "Member name to promote, or true for the most caught-up replica in expectDcs. Absent: wait for the estate's own election (orchestrator, MHA).",
    },
    expectedPrimary: { type: 'string', description: 'Refuse unless this member is the primary before the step (compare-and-set).' },
    acceptDataLoss: { type: ['boolean', 'string'], description: 'Promote even when the candidate may miss transactions (default false).' },
    maxLagTransactions: {
      type: 'integer',
      minimum: 0,
      description: "Refuse before fencing when the candidate misses more of the primary's transactions.",
    },
    lagWait: { type: 'string', description: 'How long the fenced primary waits for the candidate to catch up (default 5s).' },
    connectTimeout: { type: 'string', description: 'Connect and statement timeout per member (default 2s).' },
    replication: {
      type: 'object',
      additionalProperties: false,
      required: ['user'],
      description: 'The account replicas connect to the new primary with.',
      properties: {
        user: { type: 'string' },
        password: secretOrString,
        connectRetry: { type: 'integer', minimum: 1, description: "Seconds between the replicas' connection attempts." },
      },
    },
    killConnections: { type: ['boolean', 'string'], description: "Kill the fenced primary's client connections (default true)." },
  },
} as const;

export const isTrue = (v: boolean | string | undefined): boolean => v === true || v === 'true';
export const addrOf = (m: MysqlMember): string => `${m.host ?? '127.0.0.1'}:${m.port ?? 3306}`;
export const promoting = (p: MysqlPrimaryParams): boolean => p.promote !== undefined && p.promote !== false && p.promote !== 'false';
