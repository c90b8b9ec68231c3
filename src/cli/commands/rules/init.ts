import { initialMap, mapsEqual } from '../../../rules/shard-map.js';
import { DrctlError, ExitCode } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { loadTopologyOrThrow, printJson, requireStore, runSubcommand, withRuleStore, type StoreFlag, type TopologyFlag } from './common.js';
import { confirmed, type Confirm } from './confirm.js';

/** Publish the topology's own map as the store's first version (or, with --force, over what is there). */
export function rulesInit(io: CliIO, flags: TopologyFlag & StoreFlag & Confirm & { readonly force?: boolean }): Promise<ExitCode> {
  return runSubcommand(io, 'rules init', async () => {
    const topology = await loadTopologyOrThrow(flags.topology, io);
    const map = initialMap(topology);
    return withRuleStore(requireStore(flags), async (store) => {
      const current = await store.read();
      if (current && mapsEqual(current.map, map) && !current.fence && current.cut.length === 0) {
        if (io.json) printJson(io, 'rules init', { version: current.version, changed: false });
        else io.out(`already published: ${store.label} version ${current.version} holds this topology's map`);
        return ExitCode.ok;
      }
      if (current && !flags.force) {
        throw new DrctlError(
          'rules-initialized',
          ExitCode.refused,
          `${store.label} already holds other rules (version ${current.version})`,
          {
            hint: 'compare with `drctl rules diff @current TOPOLOGY.yaml`; --force replaces them',
          },
        );
      }
      if (current && !(await confirmed(io, flags, `replace the rules in ${store.label} with ${flags.topology}`))) return ExitCode.refused;
      const r = await store.compareAndSet(current?.version ?? 0, { kind: 'init', map, fence: null, cut: [] });
      if (!r.ok)
        throw new DrctlError(
          'rules-conflict',
          ExitCode.refused,
          `the rules changed meanwhile (now version ${r.currentVersion}); nothing written`,
        );
      if (io.json) printJson(io, 'rules init', { version: r.version, changed: true });
      else
        io.out(
          `published ${topology.name} (${topology.shardCount} shards, ${topology.zones.length} zones) to ${store.label} as version ${r.version}`,
        );
      return ExitCode.ok;
    });
  });
}
