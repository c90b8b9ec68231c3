import { readFile } from 'node:fs/promises';
import { loadMysql, mysqlConnectionOptions } from '../infra/mysql-connect.js';
import { parseUpstream } from '../infra/nginx-upstream.js';
import { httpGet } from './nginx.js';
import { hostOf } from './net.js';
import { NGINX, type DataCenter } from './topology.js';

/** Each status question's limit (never sub-second: a busy machine's answer is not "unreachable"). */
const STATUS_TIMEOUT_MS = 2_000;
import type { LabState, LabStatus } from './types.js';

/** Each MariaDB member's live role (read_only, whom it replicates from, its threads) and the single writable one. */
export async function mysqlStatus(state: LabState): Promise<LabStatus['mysql']> {
  const members = state.mysql?.members ?? [];
  const password = (await readFile(state.mysql?.passwordFile ?? '', 'utf8').catch(() => '')).trim();
  const mysql = members.length > 0 ? await loadMysql() : undefined;
  const views = await Promise.all(
    members.map(async (m): Promise<LabStatus['mysql']['members'][number]> => {
      const down = { name: m.name, dc: m.dc, role: 'unreachable', source: null, io: null, sql: null, gtid: null };
      if (!mysql) return down;
      let c;
      try {
        c = await mysql.createConnection(mysqlConnectionOptions({ host: m.host, port: m.port, user: m.user, password }, STATUS_TIMEOUT_MS));
        c.on('error', () => undefined);
        const [[v]] = (await c.query({
          sql: 'SELECT @@global.read_only AS ro, @@global.gtid_binlog_pos AS gtid',
          timeout: STATUS_TIMEOUT_MS,
        })) as unknown as [Record<string, unknown>[]];
        const [rows] = (await c.query({ sql: 'SHOW SLAVE STATUS', timeout: STATUS_TIMEOUT_MS })) as unknown as [Record<string, unknown>[]];
        const r = rows[0];
        const port = r ? Number(r['Master_Port']) : undefined;
        return {
          name: m.name,
          dc: m.dc,
          role: Number(v?.['ro']) === 0 ? 'primary' : r ? 'replica' : 'read-only',
          source: port === undefined ? null : (members.find((x) => x.port === port)?.name ?? `127.0.0.1:${port}`),
          io: r ? String(r['Slave_IO_Running']) : null,
          sql: r ? String(r['Slave_SQL_Running']) : null,
          gtid: String(v?.['gtid'] ?? ''),
        };
      } catch {
        return down;
      } finally {
        c?.destroy();
      }
    }),
  );
  const writable = views.filter((v) => v.role === 'primary');
  const primary =
    writable.length === 1 && writable[0]
      ? { name: writable[0].name, dc: writable[0].dc }
      : { name: writable.length > 1 ? writable.map((w) => w.name).join('+') : null, dc: null };
  return { primary, members: views };
}

/**
 * The servers of the Nginx upstream (each named by its data center), only while the live server answers
 * its stub_status: a stopped or frozen Nginx serves nothing, whatever its include file still says. The
 * servers are those of the include file the running server loaded (the nginx.upstream kind reloads it
 * after each write).
 */
export async function nginxStatus(state: LabState): Promise<LabStatus['nginx']> {
  if (!state.nginx) return [];
  const answer = await httpGet(state.ports.nginx, '/nginx_status', STATUS_TIMEOUT_MS, hostOf(state.net, NGINX.dc));
  if (!answer?.startsWith('Active connections')) return [];
  const byPort = new Map(Object.entries(state.ports.dcApps).map(([dc, port]) => [`${hostOf(state.net, dc as DataCenter)}:${port}`, dc]));
  try {
    const parsed = parseUpstream(await readFile(state.nginx.upstreamFile, 'utf8'), state.nginx.upstream);
    return parsed.servers.map((s) => ({ server: byPort.get(s.addr) ?? s.addr, addr: s.addr, state: s.state, weight: s.weight }));
  } catch {
    return [];
  }
}
