import { unfenceCommand } from '../../../rules/unfence-command.js';
import { describeMove, moveToJson } from '../../../rules/diff.js';
import { describeOwner } from '../../../rules/fence-owner.js';
import { flipLabel, readRules, runFlip } from '../../../rules/flip-run.js';
import { FlipError } from '../../../rules/flip-error.js';
import { computeCumulativeFlip } from '../../../rules/flip.js';
import { confirmationRequired, ExitCode, usageError } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { reportStage, resolveCatchUp, type CatchUpFlags } from './catch-up-flags.js';
import { loadTopologyOrThrow, printJson, requireStore, runSubcommand, withRuleStore, type StoreFlag, type TopologyFlag } from './common.js';

export interface FlipFlags extends TopologyFlag, StoreFlag, CatchUpFlags {
  readonly cut: readonly string[];
  readonly dryRun?: boolean;
  readonly yes?: boolean;
}

/**
 * Compute the flip for --cut on top of the data centers already cut (they stay cut); --dry-run shows
 * it (exit 2 if it would change something), else run it.
 */
export function rulesFlip(io: CliIO, flags: FlipFlags): Promise<ExitCode> {
  return runSubcommand(io, 'rules flip', async () => {
    if (flags.cut.length === 0) throw usageError('--cut names no data center', 'e.g. --cut hz-a,hz-b');
    resolveCatchUp(flags, false); // flag syntax first: a bad --catch-up is exit 3 before anything is read
    const topology = await loadTopologyOrThrow(flags.topology, io);
    return withRuleStore(requireStore(flags), async (store) => {
      const current = await readRules(store);
      const plan = computeCumulativeFlip(topology, current, flags.cut);
      if (!plan.ok)
        throw new FlipError(plan.error.problems.every((p) => p.reason === 'unknown-dc') ? 'unknown-dc' : 'refused', plan.error.message);
      const earlier = current.cut.filter((dc) => plan.value.cut.includes(dc));
      const added = plan.value.cut.filter((dc) => !current.cut.includes(dc));
      const leftover = current.fence?.by === flipLabel(flags.cut) ? current.fence : null;
      const moves = plan.value.moves.length > 0;
      const pending = moves || leftover !== null || added.length > 0;
      const catchUp = resolveCatchUp(flags, !flags.dryRun && (moves || leftover !== null));
      if (flags.dryRun || !pending) {
        const result = {
          cut: plan.value.cut,
          earlierCut: earlier,
          addedCut: added,
          version: current.version,
          dryRun: flags.dryRun === true,
          changes: pending,
          moves: plan.value.moves.map(moveToJson),
        };
        if (io.json) printJson(io, 'rules flip', result);
        else {
          if (earlier.length > 0) io.out(`already cut (stay cut): ${earlier.join(', ')}`);
          if (!pending) io.out(`nothing to do: no shard is owned by ${plan.value.cut.join(', ')} (version ${current.version})`);
          else if (!moves && added.length > 0) io.out(`record ${added.join(', ')} as cut (no shard moves)`);
          for (const m of plan.value.moves) io.out(describeMove(m));
          if (leftover)
            io.out(`take over the fence of "${leftover.by}" held by ${describeOwner(leftover.owner)} (only once that owner is gone)`);
        }
        return pending ? ExitCode.changesPending : ExitCode.ok;
      }
      if (!flags.yes) {
        if (!io.interactive) throw confirmationRequired('flip the routing rules');
        for (const m of plan.value.moves) io.err(describeMove(m));
        if (!(await io.confirm(`flip ${plan.value.moves.length} move(s) in ${store.label}?`))) {
          io.err('not confirmed: nothing changed');
          return ExitCode.refused;
        }
      }
      if (!io.json && catchUp.catchUp === undefined && moves)
        io.err('warning: --no-catch-up: shards move without waiting for their data to catch up');
      const r = await runFlip({
        store,
        topology,
        cut: flags.cut,
        onStage: (e) => reportStage(io, e),
        unfenceCommand: unfenceCommand(requireStore(flags), process.cwd()),
        ...catchUp,
      });
      if (io.json) {
        printJson(io, 'rules flip', {
          cut: r.cut,
          addedCut: added,
          fromVersion: r.fromVersion,
          toVersion: r.toVersion,
          moves: r.moves.map(moveToJson),
          stages: r.stages.map((s) => ({ stage: s.stage, durationMs: Math.round(s.durationMs * 10) / 10 })),
          tookOver: r.tookOver ?? null,
        });
      } else {
        for (const m of r.moves) io.out(describeMove(m));
        io.out(`flipped: version ${r.fromVersion} → ${r.toVersion}; cut: ${r.cut.join(', ')}`);
      }
      return ExitCode.ok;
    });
  });
}
