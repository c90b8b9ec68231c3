/**
 * The lab estate: three cities, five data centers, and where every server lives. Ports are a base
 * port plus fixed offsets (never the packages' defaults: 6379, 26379, 5432, 53...).
 */
export const DEFAULT_LAB_DIR = '.lab';
export const DEFAULT_BASE_PORT = 27100;

export const CITIES = { hz: 'Hangzhou', sh: 'Shanghai', sz: 'Shenzhen' } as const;
export const DATA_CENTERS = ['hz-a', 'hz-b', 'sh-a', 'sh-b', 'sz-a'] as const;
export type DataCenter = (typeof DATA_CENTERS)[number];

export interface RedisNodeSpec {
  readonly name: string;
  readonly dc: DataCenter;
  readonly offset: number;
  /**
   * Sentinel prefers the lowest non-zero priority: the planned partner (10) wins a failover away from
   * Hangzhou, the Hangzhou node (100) wins the fail-back, the far replica (200) is the last resort.
   */
  readonly priority: number;
}

export interface RedisGroupSpec {
  /** Sentinel group name (`sentinel monitor NAME ...`). */
  readonly name: string;
  readonly master: RedisNodeSpec;
  readonly replicas: readonly RedisNodeSpec[];
}

export const REDIS_GROUPS: readonly RedisGroupSpec[] = [
  {
    name: 'cache-a',
    master: { name: 'cache-a-hz-a', dc: 'hz-a', offset: 0, priority: 100 },
    replicas: [
      { name: 'cache-a-sh-a', dc: 'sh-a', offset: 1, priority: 10 },
      { name: 'cache-a-sz-a', dc: 'sz-a', offset: 2, priority: 200 },
    ],
  },
  {
    name: 'cache-b',
    master: { name: 'cache-b-hz-b', dc: 'hz-b', offset: 3, priority: 100 },
    replicas: [{ name: 'cache-b-sh-b', dc: 'sh-b', offset: 4, priority: 10 }],
  },
];

/** Sentinels live outside Hangzhou so a Hangzhou cut leaves a quorum. */
export const SENTINELS: readonly { readonly name: string; readonly dc: DataCenter; readonly offset: number }[] = [
  { name: 'sentinel-sh-a', dc: 'sh-a', offset: 10 },
  { name: 'sentinel-sh-b', dc: 'sh-b', offset: 11 },
  { name: 'sentinel-sz-a', dc: 'sz-a', offset: 12 },
];
export const SENTINEL_QUORUM = 2;

/** The configuration centre (routing rules, middleware:active-dc), a plain Redis in Shenzhen. */
export const CONFIG_CENTRE = { name: 'config-centre', dc: 'sz-a' as DataCenter, offset: 20 };
/** The key the DC apps' consumers read to know which data center is active for middleware. */
export const MIDDLEWARE_KEY = 'middleware:active-dc';
export const MIDDLEWARE_INITIAL_DC: DataCenter = 'hz-a';

export const PG_PRIMARY = { name: 'pg-hz-a', dc: 'hz-a' as DataCenter, offset: 30 };
export const PG_STANDBY = { name: 'pg-sh-a', dc: 'sh-a' as DataCenter, offset: 31 };

/** MariaDB primary (hz-a) and its GTID replica (sh-a): the mysql.primary kind's estate (mariadb-pair.ts). */
export const MARIADB_PRIMARY = { name: 'mariadb-hz-a', dc: 'hz-a' as DataCenter, offset: 32, serverId: 1 };
export const MARIADB_REPLICA = { name: 'mariadb-sh-a', dc: 'sh-a' as DataCenter, offset: 33, serverId: 2 };

export const HAPROXY = { name: 'haproxy', dc: 'sz-a' as DataCenter, frontendOffset: 40, adminOffset: 41, backend: 'app' };
/** Servers that take traffic at start; the others start in maintenance (the switch moves traffic to them). */
export const HAPROXY_READY: readonly DataCenter[] = ['hz-a', 'hz-b'];
/** Nginx beside HAProxy in front of the same DC apps: upstream `app` in its own include file (nginx.ts). */
export const NGINX = { name: 'nginx', dc: 'sz-a' as DataCenter, offset: 42, upstream: 'app' };
export const DC_APP_OFFSETS: Readonly<Record<DataCenter, number>> = { 'hz-a': 50, 'hz-b': 51, 'sh-a': 52, 'sh-b': 53, 'sz-a': 54 };

export const DNS = {
  name: 'named',
  dc: 'sz-a' as DataCenter,
  offset: 60,
  zone: 'example.test',
  keyName: 'ddns-key',
  record: 'cashier',
  ttlSeconds: 5,
} as const;
/** The address each city's entry point has in the zone (what the DNS switch moves between). */
export const CITY_ADDRESSES: Readonly<Record<keyof typeof CITIES, string>> = { hz: '127.0.0.10', sh: '127.0.0.20', sz: '127.0.0.30' };

/** Every port the lab uses, for the free-port check and the runbooks. */
export function labPorts(base: number): LabPorts {
  return {
    redis: Object.fromEntries(REDIS_GROUPS.flatMap((g) => [g.master, ...g.replicas]).map((n) => [n.name, base + n.offset])),
    sentinels: SENTINELS.map((s) => base + s.offset),
    configCentre: base + CONFIG_CENTRE.offset,
    pgPrimary: base + PG_PRIMARY.offset,
    pgStandby: base + PG_STANDBY.offset,
    mariadbPrimary: base + MARIADB_PRIMARY.offset,
    mariadbReplica: base + MARIADB_REPLICA.offset,
    haproxyFrontend: base + HAPROXY.frontendOffset,
    haproxyAdmin: base + HAPROXY.adminOffset,
    dcApps: Object.fromEntries(DATA_CENTERS.map((dc) => [dc, base + DC_APP_OFFSETS[dc]])) as Record<DataCenter, number>,
    dns: base + DNS.offset,
    nginx: base + NGINX.offset,
  };
}

export interface LabPorts {
  readonly redis: Readonly<Record<string, number>>;
  readonly sentinels: readonly number[];
  readonly configCentre: number;
  readonly pgPrimary: number;
  readonly pgStandby: number;
  readonly mariadbPrimary: number;
  readonly mariadbReplica: number;
  readonly haproxyFrontend: number;
  readonly haproxyAdmin: number;
  readonly dcApps: Readonly<Record<DataCenter, number>>;
  readonly dns: number;
  readonly nginx: number;
}

export function allPorts(p: LabPorts): number[] {
  return [
    ...Object.values(p.redis),
    ...p.sentinels,
    p.configCentre,
    p.pgPrimary,
    p.pgStandby,
    p.mariadbPrimary,
    p.mariadbReplica,
    p.haproxyFrontend,
    p.haproxyAdmin,
    ...Object.values(p.dcApps),
    p.dns,
    p.nginx,
  ];
}

export const cityOf = (dc: string): string => dc.split('-')[0] ?? dc;
