import { renderFence } from '../../../rules/fence.js';
import { describeOwner } from '../../../rules/fence-owner.js';
import { initialMap, type RuleMap } from '../../../rules/shard-map.js';
import { summarizeMap } from '../../../rules/summary.js';
import type { RuleVersion } from '../../../rules/store.js';
import type { Topology } from '../../../rules/topology.js';
import { ExitCode } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { loadTopologyOrThrow, printJson, readPublished, runSubcommand, table, type StoreFlag, type TopologyFlag } from './common.js';

/** The published rules (with --store) or the topology's own map: per zone and per data center. */
export function rulesShow(io: CliIO, flags: TopologyFlag & StoreFlag): Promise<ExitCode> {
  return runSubcommand(io, 'rules show', async () => {
    const topology = await loadTopologyOrThrow(flags.topology, io);
    const rules = flags.store ? await readPublished(flags.store, topology) : undefined;
    const current: RuleMap = rules ?? { version: 0, map: initialMap(topology), fence: null, cut: [] };
    const summary = summarizeMap(topology, current.map);
    const source = flags.store
      ? { store: flags.store, version: current.version, kind: rules?.kind, atIso: rules?.atIso }
      : { topology: flags.topology };
    const fence = current.fence
      ? {
          shards: renderFence(current.fence, topology.shardCount),
          by: current.fence.by,
          atIso: current.fence.atIso,
          owner: current.fence.owner,
        }
      : null;
    if (io.json) {
      printJson(io, 'rules show', {
        topology: topology.name,
        shardCount: topology.shardCount,
        source,
        cut: current.cut,
        fence,
        ...summary,
      });
      return ExitCode.ok;
    }
    io.out(header(topology, flags, rules));
    io.out(`cut: ${current.cut.length > 0 ? `${current.cut.join(', ')} (stay cut until a fail-back home)` : 'none'}`);
    io.out(
      fence
        ? `fence: shards ${fence.shards} write-forbidden by "${fence.by}" since ${fence.atIso}, held by ${describeOwner(fence.owner)}`
        : 'fence: none',
    );
    io.out('');
    io.out(
      table([
        ['ZONE', 'DC', 'CITY', 'SHARDS', 'LOAD/CAPACITY'],
        ...summary.zones.map((z) => [z.zone, z.dc ?? '?', z.city ?? '?', z.shards || '-', loadText(z.load, z.capacity)]),
      ]),
    );
    io.out('');
    io.out(
      table([
        ['DC', 'CITY', 'ZONES', 'LOAD/CAPACITY'],
        ...summary.dcs.map((d) => [d.dc, d.city, d.zones.join(',') || '-', loadText(d.load, d.capacity)]),
      ]),
    );
    return ExitCode.ok;
  });
}

function header(t: Topology, flags: StoreFlag, rules: RuleVersion | undefined): string {
  const base = `topology ${t.name}: ${t.shardCount} shards, ${t.zones.length} zones, ${t.dcs.length} data centers`;
  if (!rules) return `${base}; map from the topology file (no --store)`;
  return `${base}; ${flags.store} version ${rules.version} (${rules.kind}, ${rules.atIso})`;
}

function loadText(load: number, capacity: number | undefined): string {
  if (capacity === undefined) return `${load}/? (zone not in topology)`;
  const pct = capacity === 0 ? (load === 0 ? 0 : Infinity) : Math.round((load / capacity) * 100);
  return `${load}/${capacity} (${pct}%)${load > capacity ? ' OVER' : ''}`;
}
