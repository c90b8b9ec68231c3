import { describeMove, diffMaps, moveToJson } from '../../../rules/diff.js';
import { loadTopologyFile } from '../../../rules/load-topology.js';
import { initialMap, mapsEqual, type ShardMap } from '../../../rules/shard-map.js';
import type { RuleStore, RuleVersion } from '../../../rules/store.js';
import type { Topology } from '../../../rules/topology.js';
import { DrctlError, ExitCode, usageError } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { loadTopologyOrThrow, printJson, runSubcommand, withRuleStore, type StoreFlag } from './common.js';

interface Resolved {
  readonly label: string;
  readonly map: ShardMap;
  readonly topology?: Topology;
}

/** What changes between two maps, as shard ranges per (from zone → to zone). */
export function rulesDiff(io: CliIO, a: string, b: string, flags: StoreFlag & { readonly topology?: string }): Promise<ExitCode> {
  return runSubcommand(io, 'rules diff', async () => {
    const [ra, rb] = [await resolveRef(a, flags, io), await resolveRef(b, flags, io)];
    const topology = flags.topology ? await loadTopologyOrThrow(flags.topology, io) : (ra.topology ?? rb.topology);
    if (ra.map.owners.length !== rb.map.owners.length) {
      throw usageError(`cannot compare ${ra.label} (${ra.map.owners.length} shards) with ${rb.label} (${rb.map.owners.length} shards)`);
    }
    const moves = diffMaps(ra.map, rb.map, topology);
    if (io.json) {
      printJson(io, 'rules diff', {
        a: ra.label,
        b: rb.label,
        changed: moves.reduce((n, m) => n + m.shards.length, 0),
        moves: moves.map(moveToJson),
      });
      return ExitCode.ok;
    }
    if (moves.length === 0) io.out(`no differences between ${ra.label} and ${rb.label}`);
    for (const m of moves) io.out(describeMove(m));
    return ExitCode.ok;
  });
}

async function resolveRef(ref: string, flags: StoreFlag, io: CliIO): Promise<Resolved> {
  if (ref.startsWith('@')) {
    if (!flags.store) throw usageError(`${ref} names a store version: pass --store`);
    return fromStore(flags.store, ref);
  }
  if (/\.ya?ml$/i.test(ref)) {
    const loaded = await loadTopologyFile(ref);
    if (!loaded.topology) return { label: ref, map: initialMap(await loadTopologyOrThrow(ref, io)) };
    return { label: ref, map: initialMap(loaded.topology), topology: loaded.topology };
  }
  if (/\.json$/i.test(ref)) return fromStore(`file:${ref}`, '@current');
  throw usageError(`cannot tell what "${ref}" is`, 'use @N, @current, @previous, a topology .yaml or a file store .json');
}

async function fromStore(url: string, ref: string): Promise<Resolved> {
  return withRuleStore(url, async (store) => {
    const current = await store.read();
    if (!current) throw new DrctlError('rules-not-initialized', ExitCode.failed, `${store.label} holds no rules yet`);
    if (ref === '@previous') {
      const v = await previousMap(store, current);
      return { label: `${store.label}@${v.version}`, map: v.map };
    }
    const version = ref === '@current' ? current.version : Number(ref.slice(1));
    if (!/^@(\d+|current)$/.test(ref) || !Number.isInteger(version) || version < 1)
      throw usageError(`bad version reference "${ref}": use @N, @current or @previous`);
    const v = version === current.version ? current : await store.readVersion(version);
    if (!v) throw usageError(`${store.label} has no version ${version} (current: ${current.version})`);
    return { label: `${store.label}@${version}`, map: v.map };
  });
}

/**
 * @previous: the newest version before the current one whose map differs from the current map (the
 * map before the last flip, rollback or fail-back; fence and unfence versions keep the map). When the
 * map never changed, the first version.
 */
async function previousMap(store: RuleStore, current: RuleVersion): Promise<RuleVersion> {
  let oldest = current;
  for (let v = current.version - 1; v >= 1; v--) {
    const older = await store.readVersion(v);
    if (!older) break;
    if (!mapsEqual(older.map, current.map)) return older;
    oldest = older;
  }
  return oldest;
}
