import { promises as dnsPromises } from 'node:dns';
import pg from 'pg';
import { closePgClient } from '../util/pg-close.js';
import { etcdLabStatus } from './etcd-tier.js';
import { haproxyCommand } from '../infra/haproxy-api.js';
import { isAlive, processState } from './process.js';
import { redisCli } from './redis.js';
import { mysqlStatus, nginxStatus } from './status-mysql-nginx.js';
import { livePid, loadLabState } from './state-file.js';
import type { LabProcessStatus, LabState, LabStatus } from './types.js';
import { hostOf, serverHost } from './net.js';
import { CONFIG_CENTRE } from './topology.js';

/**
 * A lab server that gives no answer within this is shown down (frozen, cut). In-process clients: the
 * time is the server's; redis-cli: its own start-up is inside the time too (up to ~1 s on a busy machine).
 */
const STATUS_TIMEOUT_MS = 2000;
const STATUS_CLI_TIMEOUT_MS = 5000;

/** What runs where: per process (pid alive, frozen, live role: Redis, PostgreSQL, MariaDB), masters, PG primary, LB states, DNS answer. */
export async function labStatus(dir: string): Promise<LabStatus> {
  const state = await loadLabState(dir);
  if (!state) {
    return {
      dir,
      exists: false,
      running: false,
      processes: [],
      redis: [],
      pgPrimary: { name: null, dc: null },
      haproxy: [],
      mysql: { primary: { name: null, dc: null }, members: [] },
      nginx: [],
      dns: { name: '', answer: [] },
      middlewareActiveDc: null,
    };
  }
  const [asked, redis, pgRoles, haproxy, mysql, nginx, dns, middleware, etcd] = await Promise.all([
    processStatuses(state),
    redisMasters(state),
    pgRolesOf(state),
    haproxyServers(state),
    mysqlStatus(state),
    nginxStatus(state),
    dnsAnswer(state),
    redisCli(state.ports.configCentre, ['GET', state.middlewareKey], STATUS_CLI_TIMEOUT_MS, hostOf(state.net, CONFIG_CENTRE.dc)),
    etcdLabStatus(state),
  ]);
  // PostgreSQL's and MariaDB's rows: the role each member gave now (as the summary lines), never lab.json's
  const live = new Map<string, string>([...pgRoles, ...mysql.members.map((m) => [m.name, m.role] as const)]);
  const processes = asked.map((p) =>
    p.role !== null && (p.kind === 'postgres' || p.kind === 'mariadb') ? { ...p, role: live.get(p.name) ?? 'unreachable' } : p,
  );
  const pgPrimary = pgPrimaryOf(state, pgRoles);
  return {
    dir: state.dir,
    exists: true,
    running: processes.some((p) => p.alive),
    processes,
    redis,
    pgPrimary,
    haproxy,
    mysql,
    nginx,
    dns,
    middlewareActiveDc: middleware.trim() === '' ? null : middleware.trim(),
    ...(etcd ? { etcd } : {}),
  };
}

async function processStatuses(state: LabState): Promise<LabProcessStatus[]> {
  return Promise.all(
    state.processes.map(async (p) => {
      const pid = await livePid(p);
      const host = serverHost(state.net, p.kind, p.dc);
      const alive = isAlive(pid);
      const frozen = alive && processState(pid) === 'T';
      // a process that is down or frozen cannot be asked: it has no role now (never the role lab.json recorded at start)
      if (!alive || frozen) return { name: p.name, kind: p.kind, dc: p.dc, port: p.port, host, pid, alive, frozen, role: null };
      let role = p.role;
      if (p.kind === 'redis') {
        const first = (await redisCli(p.port, ['ROLE'], STATUS_CLI_TIMEOUT_MS, host)).split('\n')[0];
        if (first) role = first === 'slave' ? 'replica' : first;
      }
      return { name: p.name, kind: p.kind, dc: p.dc, port: p.port, host, pid, alive, frozen, role };
    }),
  );
}

async function redisMasters(state: LabState): Promise<LabStatus['redis']> {
  return Promise.all(
    state.redisGroups.map(async (g) => {
      const views = await Promise.all(
        state.sentinels.map(async (s) => {
          const [host, port] = s.split(':');
          const out = (await redisCli(Number(port), ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', g.name], STATUS_CLI_TIMEOUT_MS, host)).split(
            '\n',
          );
          return out.length >= 2 && out[0] ? `${out[0]}:${out[1]}` : 'unreachable';
        }),
      );
      const agreed = views.every((v) => v === views[0]) && views[0] !== 'unreachable' ? (views[0] ?? null) : null;
      const dc = g.nodes.find((n) => n.addr === agreed)?.dc ?? null;
      return { group: g.name, master: agreed, masterDc: dc, sentinelViews: views };
    }),
  );
}

/** Each PostgreSQL member's live role (primary / standby / unreachable), in-process, STATUS_TIMEOUT_MS per question. */
async function pgRolesOf(state: LabState): Promise<Map<string, string>> {
  const roles = new Map<string, string>();
  await Promise.all(
    state.pg.members.map(async (m) => {
      const client = new pg.Client({
        host: m.host,
        port: m.port,
        user: m.user,
        database: 'postgres',
        connectionTimeoutMillis: STATUS_TIMEOUT_MS,
        query_timeout: STATUS_TIMEOUT_MS,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const r = await client.query<{ rec: boolean }>('select pg_is_in_recovery() as rec');
        roles.set(m.name, r.rows[0]?.rec === false ? 'primary' : 'standby');
      } catch {
        roles.set(m.name, 'unreachable'); // down or frozen: no role we can see
      } finally {
        closePgClient(client);
      }
    }),
  );
  return roles;
}

function pgPrimaryOf(state: LabState, roles: ReadonlyMap<string, string>): LabStatus['pgPrimary'] {
  const primaries = state.pg.members.filter((m) => roles.get(m.name) === 'primary').map((m) => ({ name: m.name, dc: m.dc }));
  if (primaries.length !== 1) return { name: primaries.length > 1 ? primaries.map((p) => p.name).join('+') : null, dc: null };
  return primaries[0] ?? { name: null, dc: null };
}

async function haproxyServers(state: LabState): Promise<LabStatus['haproxy']> {
  let text: string;
  try {
    text = await haproxyCommand(state.haproxy.socket, `show servers state ${state.haproxy.backend}`, { timeoutMs: STATUS_TIMEOUT_MS });
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => /^\d+ /.test(l))
    .map((l) => {
      const f = l.split(' ');
      const admin = Number(f[6]);
      const adminState = admin & 0x63 ? 'maint' : admin & 0x18 ? 'drain' : 'ready';
      return { server: f[3] ?? '?', state: adminState, weight: Number(f[7]), up: f[5] === '2' };
    });
}

async function dnsAnswer(state: LabState): Promise<LabStatus['dns']> {
  const name = `${state.dns.record}.${state.dns.zone}`;
  const r = new dnsPromises.Resolver({ timeout: STATUS_TIMEOUT_MS, tries: 1 });
  r.setServers([state.dns.server]);
  try {
    return { name, answer: (await r.resolve4(name)).sort() };
  } catch (e) {
    return { name, answer: [], error: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}
