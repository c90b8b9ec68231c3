import { initialMap, route } from '../../../rules/shard-map.js';
import { ExitCode, usageError } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { loadTopologyOrThrow, printJson, runSubcommand, withRuleStore, type StoreFlag, type TopologyFlag } from './common.js';

/** user id → shard (userId mod shardCount) → zone → data center, from the store's rules or the topology. */
export function rulesRoute(io: CliIO, userId: string, flags: TopologyFlag & StoreFlag): Promise<ExitCode> {
  return runSubcommand(io, 'rules route', async () => {
    if (!/^\d+$/.test(userId)) throw usageError(`USER_ID must be digits, got "${userId}"`);
    const topology = await loadTopologyOrThrow(flags.topology, io);
    const rules = flags.store ? await withRuleStore(flags.store, (s) => s.read()) : undefined;
    const r = route(topology, rules ?? { map: initialMap(topology), fence: null }, userId);
    if (io.json) {
      printJson(io, 'rules route', { ...r, version: rules?.version ?? null });
      return ExitCode.ok;
    }
    const where = r.dc === undefined ? `${r.zone} (zone not in the topology)` : `${r.zone} → ${r.dc} (city ${r.city ?? '?'})`;
    io.out(`user ${r.userId} → shard ${r.shardLabel} → ${where}${r.writable ? '' : ' [writes forbidden: shard is fenced]'}`);
    return ExitCode.ok;
  });
}
