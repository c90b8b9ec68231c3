import type { DataCenter, LabPorts } from './topology.js';
import type { LabNet } from './net.js';

export const LAB_STATE_VERSION = 1;
export const LAB_STATE_FILE = 'lab.json';

export type LabServerKind =
  'redis' | 'sentinel' | 'config-centre' | 'postgres' | 'mariadb' | 'haproxy' | 'nginx' | 'dc-app' | 'named' | 'etcd';

/** One process the lab started: enough to find it, stop it, and say what it is. */
export interface LabProcess {
  readonly name: string;
  readonly kind: LabServerKind;
  readonly dc: DataCenter;
  readonly port: number;
  readonly pid: number;
  /** Role at start: master/replica, primary/standby, sentinel, frontend... (status shows the live one). */
  readonly role: string;
  /** Signal for a clean stop (postgres: SIGINT = fast shutdown). */
  readonly stopSignal: NodeJS.Signals;
  /** When the pid can change (postgres after a fail-back restarts it), the file holding the live pid. */
  readonly pidFile?: string;
  readonly logFile: string;
  readonly dataDir?: string;
}

export interface LabRedisGroup {
  readonly name: string;
  readonly nodes: readonly { readonly name: string; readonly addr: string; readonly dc: DataCenter }[];
}

export interface LabPgMember {
  readonly name: string;
  readonly dc: DataCenter;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dataDir: string;
  readonly osUser: string;
  readonly binDir: string;
  /** netns mode: the namespace the server runs in (db.primary's netns: pg_ctl starts it there). */
  readonly netns?: string;
}

/** The lab's etcd cluster (etcd-tier.ts): `url` is what --state / --store take. */
export interface LabEtcd {
  readonly endpoints: readonly string[];
  readonly url: string;
  readonly members: readonly { readonly name: string; readonly dc: DataCenter; readonly clientPort: number; readonly peerPort: number }[];
}

/** A MariaDB member as a mysql.primary step names it (the password is in the lab's mariadb-password file). */
export interface LabMysqlMember {
  readonly name: string;
  readonly dc: DataCenter;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The node's my.cnf (its root can log in over the socket named there: the lab's own set-up). */
  readonly cnf: string;
}

/** lab.json: everything a runbook, a test or `drctl lab status` needs to find the estate. */
export interface LabState {
  readonly schemaVersion: typeof LAB_STATE_VERSION;
  readonly dir: string;
  readonly basePort: number;
  readonly startedAt: string;
  readonly ports: LabPorts;
  readonly processes: readonly LabProcess[];
  readonly redisGroups: readonly LabRedisGroup[];
  readonly sentinels: readonly string[];
  readonly configCentre: string;
  readonly middlewareKey: string;
  /** privateRoot: the folder under /tmp holding the PostgreSQL data when the postgres user cannot reach the lab folder (DIR/pg links to it). */
  readonly pg: { readonly members: readonly LabPgMember[]; readonly privateRoot?: string };
  readonly haproxy: { readonly socket: string; readonly admin: string; readonly frontend: string; readonly backend: string };
  /** passwordFile / clientCnf: the lab users' generated password (mode 600); privateRoot as for pg. */
  readonly mysql: {
    readonly members: readonly LabMysqlMember[];
    readonly passwordFile: string;
    readonly clientCnf: string;
    readonly privateRoot?: string;
  };
  /** nginx -p prefix -c conf; upstreamFile: the include file nginx.upstream rewrites; frontend and stub_status URLs. */
  readonly nginx: {
    readonly prefix: string;
    readonly conf: string;
    readonly upstream: string;
    readonly upstreamFile: string;
    readonly frontend: string;
    readonly status: string;
  };
  readonly dns: {
    readonly server: string;
    readonly zone: string;
    readonly record: string;
    readonly keyFile: string;
    readonly keyName: string;
    readonly algorithm: string;
    readonly addresses: Readonly<Record<string, string>>;
  };
  /** Absent in labs started before etcd joined the lab. */
  readonly etcd?: LabEtcd;
  /** Where the servers live (net.ts): absent = loopback (labs started before --netns existed). */
  readonly net?: LabNet;
}

export interface LabProcessStatus {
  readonly name: string;
  readonly kind: LabServerKind;
  readonly dc: DataCenter;
  readonly port: number;
  /** The address it listens on (127.0.0.1, or its data center's in a netns lab). */
  readonly host?: string;
  readonly pid: number;
  readonly alive: boolean;
  readonly frozen: boolean;
  /** Live role where the lab can ask (Redis master/replica, PostgreSQL primary/standby, MariaDB primary/replica/read-only; unreachable when it gave no answer), else the role at start; null when the process is down or frozen. */
  readonly role: string | null;
}

export interface LabStatus {
  readonly dir: string;
  /** false when no lab.json exists in dir. */
  readonly exists: boolean;
  readonly running: boolean;
  readonly processes: readonly LabProcessStatus[];
  readonly redis: readonly {
    readonly group: string;
    readonly master: string | null;
    readonly masterDc: string | null;
    readonly sentinelViews: readonly string[];
  }[];
  readonly pgPrimary: { readonly name: string | null; readonly dc: string | null };
  readonly haproxy: readonly { readonly server: string; readonly state: string; readonly weight: number; readonly up: boolean }[];
  /** MariaDB: the single writable member, and each member's live role (primary / replica / read-only / unreachable). */
  readonly mysql: {
    readonly primary: { readonly name: string | null; readonly dc: string | null };
    readonly members: readonly {
      readonly name: string;
      readonly dc: string;
      readonly role: string;
      readonly source: string | null;
      readonly io: string | null;
      readonly sql: string | null;
      readonly gtid: string | null;
    }[];
  };
  /** Nginx upstream servers as its include file has them (up / down / backup), named by data center. */
  readonly nginx: readonly { readonly server: string; readonly addr: string; readonly state: string; readonly weight: number }[];
  readonly dns: { readonly name: string; readonly answer: readonly string[]; readonly error?: string };
  readonly middlewareActiveDc: string | null;
  /** The etcd cluster: members (id as text: uint64), which answer, and the leader. */
  readonly etcd?:
    | {
        readonly url: string;
        readonly endpoints: readonly string[];
        readonly leader: string | null;
        readonly members: readonly {
          readonly name: string;
          readonly dc: string;
          readonly endpoint: string;
          readonly id: string | null;
          readonly reachable: boolean;
          readonly leader: boolean;
        }[];
      }
    | undefined;
}
