import { formatRange, toRanges, type ShardRange } from './ranges.js';

/**
 * Who holds a write fence: one run of one flip (or rollback, or fail-back). Another run may take the
 * fence over only when this owner is provably gone: same machine and its process is dead, or its lease
 * ran out (the owner renews it while it runs). See fence-owner.ts.
 */
export interface FenceOwner {
  /** Unique per run of an operation (random). */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** /etc/machine-id (or null where there is none): "same host" means the same machine, not the same name. */
  readonly machineId: string | null;
  /** The process's start time as the OS counts it (Linux: /proc/PID/stat), so a reused pid is not mistaken for the owner. */
  readonly processStart: string | null;
  readonly startedAtIso: string;
  /** Wall clock: after this instant, without a renewal, the fence may be taken over. */
  readonly leaseUntilIso: string;
}

/** Shards whose writes are forbidden while they move, and the operation that fenced them (not the state store's fencing token: state/store.ts Fence). */
export interface ShardFence {
  /** Sorted, disjoint, maximal ranges (a 1,000,000-shard fence is a handful of ranges, not a million numbers). */
  readonly ranges: readonly ShardRange[];
  /** The operation: "flip hz-a,hz-b", "rollback to v3", "restore home" (a later run of the same one may take it over). */
  readonly by: string;
  readonly atIso: string;
  /** null only for fences written by drctl before owners existed. */
  readonly owner: FenceOwner | null;
}

export function fenceOf(shards: Iterable<number>, by: string, atIso: string, owner: FenceOwner | null): ShardFence {
  return { ranges: toRanges(shards), by, atIso, owner };
}

/** A fence over the shards of `fence` and `shards` (merged ranges), now held by `by` / `owner` (a takeover by another operation). */
export function widenFence(fence: ShardFence, shards: Iterable<number>, by: string, atIso: string, owner: FenceOwner | null): ShardFence {
  return { ranges: normalize([...fence.ranges, ...toRanges(shards)]), by, atIso, owner };
}

/** Number of fenced shards. */
export function fenceSize(fence: ShardFence): number {
  return fence.ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
}

/** Is `shard` fenced? Binary search over the ranges. */
export function fenceCovers(fence: ShardFence | null, shard: number): boolean {
  return rangeContaining(fence, shard) !== undefined;
}

/** Does the fence cover every one of `shards`? */
export function fenceCoversAll(fence: ShardFence | null, shards: readonly number[]): boolean {
  return toRanges(shards).every((r) => (rangeContaining(fence, r.from)?.to ?? -1) >= r.to);
}

function rangeContaining(fence: ShardFence | null, shard: number): ShardRange | undefined {
  const ranges = fence?.ranges ?? [];
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid];
    if (!r) return undefined;
    if (shard < r.from) hi = mid - 1;
    else if (shard > r.to) lo = mid + 1;
    else return r;
  }
  return undefined;
}

/** "00-19, 40-59" */
export function renderFence(fence: ShardFence, shardCount: number): string {
  return fence.ranges.map((r) => formatRange(r, shardCount)).join(', ');
}

/** Stored form: ranges as [from, to] pairs. */
export interface StoredFence {
  readonly ranges: readonly (readonly [number, number])[];
  readonly by: string;
  readonly atIso: string;
  readonly owner: FenceOwner | null;
}

export function encodeFence(fence: ShardFence | null): StoredFence | null {
  return fence ? { ranges: fence.ranges.map((r) => [r.from, r.to] as const), by: fence.by, atIso: fence.atIso, owner: fence.owner } : null;
}

/**
 * Parse a stored fence: the range form, or the shard-list form of older stores ({shards: [..]}).
 * Returns a message for a malformed one.
 */
export function decodeFence(raw: unknown, shardCount: number): { fence: ShardFence | null } | { problem: string } {
  if (raw === null || raw === undefined) return { fence: null };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { problem: 'fence is not an object' };
  const f = raw as Record<string, unknown>;
  if (typeof f['by'] !== 'string' || typeof f['atIso'] !== 'string') return { problem: 'fence lacks "by" or "atIso"' };
  const owner = f['owner'] === undefined || f['owner'] === null ? null : f['owner'];
  if (owner !== null && !isOwner(owner)) return { problem: 'fence owner has an unexpected shape' };
  let ranges: ShardRange[];
  if (Array.isArray(f['ranges'])) {
    if (!f['ranges'].every((r) => Array.isArray(r) && r.length === 2 && r.every((n) => Number.isInteger(n))))
      return { problem: 'fence ranges are not [from, to] pairs' };
    ranges = (f['ranges'] as [number, number][]).map(([from, to]) => ({ from, to }));
  } else if (Array.isArray(f['shards']) && f['shards'].every((n) => Number.isInteger(n))) {
    ranges = [...toRanges(f['shards'] as number[])];
  } else return { problem: 'fence has neither ranges nor shards' };
  if (ranges.some((r) => r.from < 0 || r.to < r.from || r.to >= shardCount))
    return { problem: `fence ranges fall outside 0-${shardCount - 1}` };
  return { fence: { ranges: normalize(ranges), by: f['by'], atIso: f['atIso'], owner } };
}

/** Sort and merge ranges (without expanding them into shards). */
function normalize(ranges: readonly ShardRange[]): ShardRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: ShardRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else out.push(r);
  }
  return out;
}

function isOwner(v: unknown): v is FenceOwner {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['id'] === 'string' &&
    typeof o['host'] === 'string' &&
    Number.isInteger(o['pid']) &&
    (o['machineId'] === null || typeof o['machineId'] === 'string') &&
    (o['processStart'] === null || typeof o['processStart'] === 'string') &&
    typeof o['startedAtIso'] === 'string' &&
    typeof o['leaseUntilIso'] === 'string'
  );
}
