import { describeMove, moveToJson } from '../../../rules/diff.js';
import { renderRanges } from '../../../rules/ranges.js';
import { liftFence, rollbackToVersion } from '../../../rules/restore.js';
import { initialMap, mapsEqual } from '../../../rules/shard-map.js';
import { confirmationRequired, DrctlError, ExitCode } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { loadTopologyOrThrow, printJson, requireStore, runSubcommand, withRuleStore, type StoreFlag, type TopologyFlag } from './common.js';

interface Confirm {
  readonly yes?: boolean;
}

async function confirmed(io: CliIO, flags: Confirm, what: string): Promise<boolean> {
  if (flags.yes) return true;
  if (!io.interactive) throw confirmationRequired(what);
  return io.confirm(`${what}?`);
}

/** Publish the topology's own map as the store's first version (or, with --force, over what is there). */
export function rulesInit(io: CliIO, flags: TopologyFlag & StoreFlag & Confirm & { readonly force?: boolean }): Promise<ExitCode> {
  return runSubcommand(io, 'rules init', async () => {
    const topology = await loadTopologyOrThrow(flags.topology, io);
    const map = initialMap(topology);
    return withRuleStore(requireStore(flags), async (store) => {
      const current = await store.read();
      if (current && mapsEqual(current.map, map) && !current.fence) {
        if (io.json) printJson(io, 'rules init', { version: current.version, changed: false });
        else io.out(`already published: ${store.label} version ${current.version} holds this topology's map`);
        return ExitCode.ok;
      }
      if (current && !flags.force) {
        throw new DrctlError('rules-initialized', ExitCode.refused, `${store.label} already holds other rules (version ${current.version})`, {
          hint: 'compare with `drctl rules diff @current TOPOLOGY.yaml`; --force replaces them',
        });
      }
      if (current && !(await confirmed(io, flags, `replace the rules in ${store.label} with ${flags.topology}`))) return ExitCode.refused;
      const r = await store.compareAndSet(current?.version ?? 0, { kind: 'init', map, fence: null });
      if (!r.ok) throw new DrctlError('rules-conflict', ExitCode.refused, `the rules changed meanwhile (now version ${r.currentVersion}); nothing written`);
      if (io.json) printJson(io, 'rules init', { version: r.version, changed: true });
      else io.out(`published ${topology.name} (${topology.shardCount} shards, ${topology.zones.length} zones) to ${store.label} as version ${r.version}`);
      return ExitCode.ok;
    });
  });
}

/** Break-glass: lift a fence left by a crashed flip. */
export function rulesUnfence(io: CliIO, flags: StoreFlag & Confirm): Promise<ExitCode> {
  return runSubcommand(io, 'rules unfence', () =>
    withRuleStore(requireStore(flags), async (store) => {
      const current = await store.read();
      if (!current?.fence) {
        if (io.json) printJson(io, 'rules unfence', { changed: false });
        else io.out('no fence is set');
        return ExitCode.ok;
      }
      const what = `lift the fence on shards ${renderRanges(current.fence.shards, current.map.owners.length)} held by "${current.fence.by}"`;
      if (!(await confirmed(io, flags, what))) return ExitCode.refused;
      const r = await liftFence(store);
      if (r && !r.ok) throw new DrctlError('rules-conflict', ExitCode.refused, `the rules changed meanwhile (now version ${r.currentVersion}); nothing written`);
      if (io.json) printJson(io, 'rules unfence', { changed: true, version: r?.version });
      else io.out(`fence lifted (version ${r?.version ?? current.version})`);
      return ExitCode.ok;
    }),
  );
}

/** Restore the exact map of an earlier version (fence → publish → unfence). */
export function rulesRollback(io: CliIO, version: number, flags: StoreFlag & Confirm): Promise<ExitCode> {
  return runSubcommand(io, 'rules rollback', () =>
    withRuleStore(requireStore(flags), async (store) => {
      if (!(await confirmed(io, flags, `restore the map of version ${version} in ${store.label}`))) return ExitCode.refused;
      const r = await rollbackToVersion({ store, version });
      if (io.json) printJson(io, 'rules rollback', { fromVersion: r.fromVersion, toVersion: r.toVersion, moves: r.moves.map(moveToJson) });
      else {
        for (const m of r.moves) io.out(describeMove(m));
        io.out(r.status === 'noop' ? `nothing to do: version ${r.fromVersion} already holds that map` : `restored the map of version ${version}: now version ${r.toVersion}`);
      }
      return ExitCode.ok;
    }),
  );
}
