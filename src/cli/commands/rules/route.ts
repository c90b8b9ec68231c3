import { initialMap, route } from '../../../rules/shard-map.js';
import { ExitCode, usageError } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { loadTopologyOrThrow, printJson, readPublished, runSubcommand, type StoreFlag, type TopologyFlag } from './common.js';

/** user id → shard (userId mod shardCount) → zone → data center, from the store's rules or the topology. */
export function rulesRoute(io: CliIO, userId: string, flags: TopologyFlag & StoreFlag): Promise<ExitCode> {
  return runSubcommand(io, 'rules route', async () => {
    if (!/^\d+$/.test(userId)) throw usageError(`USER_ID must be digits, got "${userId}"`);
    const topology = await loadTopologyOrThrow(flags.topology, io);
    const rules = flags.store ? await readPublished(flags.store, topology) : undefined;
    const r = route(topology, rules ?? { map: initialMap(topology), fence: null }, userId);
    if (io.json) {
      printJson(io, 'rules route', { ...r, version: rules?.version ?? null, source: flags.store ?? flags.topology });
      return ExitCode.ok;
    }
    const where = r.dc === undefined ? `${r.zone} (zone not in the topology)` : `${r.zone} → ${r.dc} (city ${r.city ?? '?'})`;
    const from = rules ? ` [${flags.store} version ${rules.version}]` : '';
    io.out(`user ${r.userId} → shard ${r.shardLabel} → ${where}${r.writable ? '' : ' [writes forbidden: shard is fenced]'}${from}`);
    return ExitCode.ok;
  });
}
