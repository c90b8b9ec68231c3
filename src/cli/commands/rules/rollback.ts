import { unfenceCommand } from '../../../rules/unfence-command.js';
import { describeMove, diffMaps, moveToJson } from '../../../rules/diff.js';
import { rollbackToVersion } from '../../../rules/restore.js';
import { ExitCode } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { reportStage, resolveCatchUp, type CatchUpFlags } from './catch-up-flags.js';
import { printJson, requireStore, runSubcommand, withRuleStore, type StoreFlag } from './common.js';
import { confirmed, type Confirm } from './confirm.js';

/** Restore the exact map of an earlier version: fence → catch-up → publish → unfence, like a flip. */
export function rulesRollback(io: CliIO, version: number, flags: StoreFlag & Confirm & CatchUpFlags): Promise<ExitCode> {
  return runSubcommand(io, 'rules rollback', () =>
    withRuleStore(requireStore(flags), async (store) => {
      resolveCatchUp(flags, false);
      const [target, current] = [await store.readVersion(version), await store.read()];
      const moves =
        target && current && target.map.owners.length === current.map.owners.length ? diffMaps(current.map, target.map).length > 0 : false;
      const catchUp = resolveCatchUp(flags, moves || (current?.fence ?? null) !== null);
      if (!(await confirmed(io, flags, `restore the map of version ${version} in ${store.label}`))) return ExitCode.refused;
      if (!io.json && catchUp.catchUp === undefined && moves)
        io.err('warning: --no-catch-up: shards move without waiting for their data to catch up');
      const r = await rollbackToVersion({
        store,
        version,
        onStage: (e) => reportStage(io, e),
        unfenceCommand: unfenceCommand(requireStore(flags), process.cwd()),
        ...catchUp,
      });
      if (io.json)
        printJson(io, 'rules rollback', {
          fromVersion: r.fromVersion,
          toVersion: r.toVersion,
          moves: r.moves.map(moveToJson),
          stages: r.stages.map((s) => ({ stage: s.stage, durationMs: Math.round(s.durationMs * 10) / 10 })),
        });
      else {
        for (const m of r.moves) io.out(describeMove(m));
        io.out(
          r.status === 'noop'
            ? `nothing to do: version ${r.fromVersion} already holds that map`
            : `restored the map of version ${version}: now version ${r.toVersion}`,
        );
      }
      return ExitCode.ok;
    }),
  );
}
