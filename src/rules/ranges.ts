/**
 * Shard numbers ⇄ text. Shards are 0 … shardCount-1, printed zero-padded to the width of the largest
 * shard ("00".."99" for 100 shards, "0000".."9999" for 10,000). Ranges are inclusive: "00-19".
 */

/** Digits needed for the largest shard: 100 → 2, 10 → 1, 10000 → 4, 1000 → 3. */
export function shardWidth(shardCount: number): number {
  return String(Math.max(0, shardCount - 1)).length;
}

export function formatShard(shard: number, shardCount: number): string {
  return String(shard).padStart(shardWidth(shardCount), '0');
}

export interface ShardRange {
  readonly from: number;
  readonly to: number;
}

/** Sorted, de-duplicated shards → maximal contiguous ranges. */
export function toRanges(shards: Iterable<number>): readonly ShardRange[] {
  const sorted = [...new Set(shards)].sort((a, b) => a - b);
  const out: ShardRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.to === s - 1) out[out.length - 1] = { from: last.from, to: s };
    else out.push({ from: s, to: s });
  }
  return out;
}

export function formatRange(r: ShardRange, shardCount: number): string {
  const a = formatShard(r.from, shardCount);
  return r.from === r.to ? a : `${a}-${formatShard(r.to, shardCount)}`;
}

/** Compact rendering: [0..19, 40..59, 66] → "00-19, 40-59, 66"; no shards → "". */
export function renderRanges(shards: Iterable<number>, shardCount: number): string {
  return toRanges(shards)
    .map((r) => formatRange(r, shardCount))
    .join(', ');
}

const RANGE_RE = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/;

export type RangeParse = { readonly ok: true; readonly range: ShardRange } | { readonly ok: false; readonly message: string };

/** "00-19", "42", or a number. Checks syntax, order and bounds. */
export function parseShardRange(value: unknown, shardCount: number): RangeParse {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, message: `shard ${value} is not an integer` };
    return bounds({ from: value, to: value }, shardCount, String(value));
  }
  if (typeof value !== 'string') return { ok: false, message: `a shard range must be a string like "00-19" or "42", got ${typeof value}` };
  const m = RANGE_RE.exec(value);
  if (!m) return { ok: false, message: `bad shard range "${value}": use "FROM-TO" (e.g. "00-19") or one shard ("42")` };
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from) return { ok: false, message: `bad shard range "${value}": ${m[2]} is before ${m[1]}` };
  return bounds({ from, to }, shardCount, value);
}

function bounds(range: ShardRange, shardCount: number, text: string): RangeParse {
  if (range.from < 0 || range.to >= shardCount) {
    return { ok: false, message: `shard range "${text}" is outside 0-${shardCount - 1} (shardCount is ${shardCount})` };
  }
  return { ok: true, range };
}
