import type { Flavor } from './params.js';

/**
 * GTID positions of both servers, as plain strings in, numbers and strings out (pure):
 * - MariaDB: a list "domain-server-seq,..." with the last GTID per replication domain; under
 *   gtid_strict_mode seq_no only grows within a domain, so "behind" is a difference of seq_nos.
 * - MySQL: a set "uuid:1-5:7,uuid2:1-3"; "behind" is the size of a set difference.
 */

interface MariaGtid {
  readonly server: number;
  readonly seq: number;
}

export function parseMariadb(list: string): Map<number, MariaGtid> {
  const out = new Map<number, MariaGtid>();
  for (const item of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [d, s, n] = item.split('-').map(Number);
    if (d === undefined || s === undefined || n === undefined || [d, s, n].some((x) => !Number.isSafeInteger(x)))
      throw new Error(`bad MariaDB GTID "${item}"`);
    const prev = out.get(d);
    if (!prev || n > prev.seq) out.set(d, { server: s, seq: n });
  }
  return out;
}

const formatMariadb = (m: ReadonlyMap<number, MariaGtid>): string =>
  [...m]
    .sort(([a], [b]) => a - b)
    .map(([d, g]) => `${d}-${g.server}-${g.seq}`)
    .join(',');

/** Intervals per source uuid, sorted and merged. */
type GtidSet = Map<string, [number, number][]>;

export function parseMysql(set: string): GtidSet {
  const out: GtidSet = new Map();
  for (const item of set.replace(/\s+/g, '').split(',').filter(Boolean)) {
    const [uuid, ...ranges] = item.split(':');
    if (!uuid || ranges.length === 0) throw new Error(`bad MySQL GTID set item "${item}"`);
    const list = out.get(uuid.toLowerCase()) ?? [];
    for (const r of ranges) {
      const [a, b] = r.split('-').map(Number);
      if (a === undefined || !Number.isSafeInteger(a) || (b !== undefined && !Number.isSafeInteger(b)))
        throw new Error(`bad MySQL GTID range "${r}"`);
      list.push([a, b ?? a]);
    }
    out.set(uuid.toLowerCase(), merge(list));
  }
  return out;
}

function merge(list: [number, number][]): [number, number][] {
  const sorted = [...list].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function subtract(a: GtidSet, b: GtidSet): GtidSet {
  const out: GtidSet = new Map();
  for (const [uuid, ranges] of a) {
    let rest = ranges.map(([x, y]) => [x, y] as [number, number]);
    for (const [c, d] of b.get(uuid) ?? []) {
      rest = rest.flatMap(([x, y]): [number, number][] => {
        if (d < x || c > y) return [[x, y]];
        const parts: [number, number][] = [];
        if (c > x) parts.push([x, c - 1]);
        if (d < y) parts.push([d + 1, y]);
        return parts;
      });
    }
    if (rest.length > 0) out.set(uuid, rest);
  }
  return out;
}

const sizeOf = (s: GtidSet): number => [...s.values()].flat().reduce((n, [a, b]) => n + b - a + 1, 0);
const formatMysql = (s: GtidSet): string =>
  [...s].map(([uuid, ranges]) => `${uuid}:${ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`).join(',');

/** How many transactions `has` lacks of `want` (0 when it has them all). */
export function missingCount(flavor: Flavor, want: string, has: string): number {
  if (flavor === 'mysql') return sizeOf(subtract(parseMysql(want), parseMysql(has)));
  const h = parseMariadb(has);
  let n = 0;
  for (const [d, g] of parseMariadb(want)) n += Math.max(0, g.seq - (h.get(d)?.seq ?? 0));
  return n;
}

/**
 * The transactions `has` lacks of `want`, for a record: MySQL a GTID set; MariaDB per domain
 * "D-S-A..B" (S the server of want's last GTID there; the ones before it may come from other servers).
 * '' when none.
 */
export function missingText(flavor: Flavor, want: string, has: string): string {
  if (flavor === 'mysql') return formatMysql(subtract(parseMysql(want), parseMysql(has)));
  const h = parseMariadb(has);
  const parts: string[] = [];
  for (const [d, g] of [...parseMariadb(want)].sort(([a], [b]) => a - b)) {
    const from = (h.get(d)?.seq ?? 0) + 1;
    if (from <= g.seq) parts.push(from === g.seq ? `${d}-${g.server}-${g.seq}` : `${d}-${g.server}-${from}..${g.seq}`);
  }
  return parts.join(',');
}

/** Newest per domain of two MariaDB lists (a server's gtid_binlog_pos and gtid_slave_pos); MySQL sets are unions. */
export function newest(flavor: Flavor, a: string, b: string): string {
  if (flavor === 'mysql') return formatMysql(merged(parseMysql(a), parseMysql(b)));
  const out = parseMariadb(a);
  for (const [d, g] of parseMariadb(b)) if ((out.get(d)?.seq ?? -1) < g.seq) out.set(d, g);
  return formatMariadb(out);
}

function merged(a: GtidSet, b: GtidSet): GtidSet {
  const out: GtidSet = new Map(a);
  for (const [uuid, ranges] of b) out.set(uuid, merge([...(out.get(uuid) ?? []), ...ranges]));
  return out;
}

/** Transactions in a position (to rank candidates: the most caught up has the most). */
export function countOf(flavor: Flavor, pos: string): number {
  if (flavor === 'mysql') return sizeOf(parseMysql(pos));
  return [...parseMariadb(pos).values()].reduce((n, g) => n + g.seq, 0);
}

/**
 * MariaDB: the GTIDs of `pos` (a server's gtid_binlog_pos: its last transaction per domain) that are
 * not in `state` (another server's gtid_binlog_state: the last seq_no of every domain-server pair in its
 * binary log). A server whose last own transactions the other never received has diverged from it.
 */
export function mariadbNotIn(pos: string, state: string): string {
  const seen = new Map<string, number>();
  for (const item of state
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [d, s, n] = item.split('-');
    seen.set(`${d}-${s}`, Math.max(seen.get(`${d}-${s}`) ?? 0, Number(n)));
  }
  const out: string[] = [];
  for (const [d, g] of parseMariadb(pos)) {
    const have = seen.get(`${d}-${g.server}`) ?? 0;
    if (have < g.seq) out.push(have + 1 === g.seq ? `${d}-${g.server}-${g.seq}` : `${d}-${g.server}-${have + 1}..${g.seq}`);
  }
  return out.join(',');
}
