import { decodeFence, encodeFence } from './fence.js';
import { decodeMap, encodeMap } from './shard-map.js';
import { CHANGE_KINDS, type ChangeKind, type RuleUpdate, type RuleVersion, type VersionDocument } from './store.js';
import { storeInvalid } from './store-errors.js';
import { MAX_SHARD_COUNT } from './topology.js';

export function toVersionDocument(version: number, update: RuleUpdate, atIso: string): VersionDocument {
  return {
    version,
    kind: update.kind,
    atIso,
    map: encodeMap(update.map),
    fence: encodeFence(update.fence),
    cut: [...(update.cut ?? [])].sort(),
  };
}

/** Parse the JSON text of one stored version (Redis); a malformed one is a DrctlError naming the store. */
export function parseVersionDocument(json: string, where: string): RuleVersion {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw storeInvalid(where, `a stored version is not JSON (${(e as Error).message})`);
  }
  return fromVersionDocument(checkVersionDocument(raw, where), where);
}

/**
 * Check the shape of one stored version without expanding its map (cheap: one pass over its runs and
 * fence ranges). Throws a DrctlError naming the store and the version for anything unexpected.
 */
export function checkVersionDocument(raw: unknown, where: string): VersionDocument {
  const bad = (why: string): never => {
    const v = isObject(raw) && Number.isInteger(raw['version']) ? `version ${String(raw['version'])}` : 'a stored version';
    throw storeInvalid(where, `${v} ${why}`);
  };
  if (!isObject(raw)) return bad('is not an object');
  const { version, kind, atIso, map, cut } = raw;
  if (!Number.isInteger(version) || (version as number) < 1) bad('has no positive integer "version"');
  if (!CHANGE_KINDS.includes(kind as ChangeKind)) bad(`has kind ${JSON.stringify(kind)}, want one of ${CHANGE_KINDS.join(', ')}`);
  if (typeof atIso !== 'string') bad('has no "atIso" time');
  if (!isObject(map)) return bad('has no "map"');
  const shardCount = map['shardCount'];
  if (!Number.isInteger(shardCount) || (shardCount as number) < 1 || (shardCount as number) > MAX_SHARD_COUNT)
    bad(`has a map without a shardCount from 1 to ${MAX_SHARD_COUNT}`);
  const n = shardCount as number;
  const runs = map['runs'];
  if (!Array.isArray(runs)) return bad('has a map without "runs"');
  for (const run of runs) {
    const ok =
      Array.isArray(run) &&
      run.length === 3 &&
      typeof run[0] === 'string' &&
      Number.isInteger(run[1]) &&
      Number.isInteger(run[2]) &&
      run[1] >= 0 &&
      run[1] <= run[2] &&
      run[2] < n;
    if (!ok) bad(`has a map run ${JSON.stringify(run)} that is not [zone, from, to] within 0-${n - 1}`);
  }
  const fence = decodeFence(raw['fence'], n);
  if ('problem' in fence) bad(`has a bad fence: ${fence.problem}`);
  if (cut !== undefined && !(Array.isArray(cut) && cut.every((d) => typeof d === 'string')))
    bad('has a "cut" that is not a list of data centers');
  return raw as unknown as VersionDocument;
}

/** A checked document → the version (the map expanded). */
export function fromVersionDocument(doc: VersionDocument, where: string): RuleVersion {
  const fence = decodeFence(doc.fence, doc.map.shardCount);
  if ('problem' in fence) throw storeInvalid(where, `version ${doc.version} has a bad fence: ${fence.problem}`);
  return { version: doc.version, kind: doc.kind, atIso: doc.atIso, map: decodeMap(doc.map), fence: fence.fence, cut: [...(doc.cut ?? [])] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
