import { describeMove, moveToJson } from '../../../rules/diff.js';
import { flipLabel, runFlip } from '../../../rules/flip-run.js';
import { FlipError } from '../../../rules/flip-error.js';
import type { CatchUpCheck, StageEvent } from '../../../rules/flip-stages.js';
import { computeFlip } from '../../../rules/flip.js';
import { parseDuration, formatDuration } from '../../../util/duration.js';
import { confirmationRequired, ExitCode, usageError } from '../../../util/errors.js';
import { runCommand, tail } from '../../../util/exec.js';
import type { CliIO } from '../../io.js';
import { loadTopologyOrThrow, printJson, requireStore, runSubcommand, withRuleStore, type StoreFlag, type TopologyFlag } from './common.js';

export interface FlipFlags extends TopologyFlag, StoreFlag {
  readonly cut: readonly string[];
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  /** A command (split on spaces, run without a shell) that exits 0 once data caught up. */
  readonly catchUp?: string;
  readonly catchUpTimeout?: string;
}

/** Compute the flip for --cut; --dry-run shows it (exit 2 if it would change something), else run it. */
export function rulesFlip(io: CliIO, flags: FlipFlags): Promise<ExitCode> {
  return runSubcommand(io, 'rules flip', async () => {
    if (flags.cut.length === 0) throw usageError('--cut names no data center', 'e.g. --cut hz-a,hz-b');
    const timeoutMs = flags.catchUpTimeout === undefined ? undefined : parseDuration(flags.catchUpTimeout);
    if (flags.catchUpTimeout !== undefined && timeoutMs === undefined) throw usageError(`--catch-up-timeout must be a duration like 30s, got "${flags.catchUpTimeout}"`);
    const topology = await loadTopologyOrThrow(flags.topology, io);
    return withRuleStore(requireStore(flags), async (store) => {
      const current = await store.read();
      if (!current) throw new FlipError('not-initialized', `${store.label} holds no rules yet`, { hint: 'publish the topology first: drctl rules init' });
      const plan = computeFlip(topology, current.map, flags.cut);
      if (!plan.ok) throw new FlipError(plan.error.problems.every((p) => p.reason === 'unknown-dc') ? 'unknown-dc' : 'refused', plan.error.message);
      const leftover = current.fence?.by === flipLabel(plan.value.cut);
      const pending = plan.value.moves.length > 0 || leftover;
      if (flags.dryRun || !pending) {
        const result = { cut: plan.value.cut, version: current.version, dryRun: flags.dryRun === true, changes: pending, moves: plan.value.moves.map(moveToJson) };
        if (io.json) printJson(io, 'rules flip', result);
        else if (!pending) io.out(`nothing to do: no shard is owned by ${plan.value.cut.join(', ')} (version ${current.version})`);
        else for (const m of plan.value.moves) io.out(`${describeMove(m)}`);
        if (!io.json && leftover && plan.value.moves.length === 0) io.out(`lift the fence left by "${current.fence?.by}"`);
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
      const r = await runFlip({ store, topology, cut: flags.cut, onStage: (e) => reportStage(io, e), catchUp: catchUpCommand(flags.catchUp), ...(timeoutMs === undefined ? {} : { catchUpTimeoutMs: timeoutMs }) });
      if (io.json) printJson(io, 'rules flip', { cut: r.cut, fromVersion: r.fromVersion, toVersion: r.toVersion, moves: r.moves.map(moveToJson), stages: r.stages.map((s) => ({ stage: s.stage, durationMs: Math.round(s.durationMs * 10) / 10 })) });
      else {
        for (const m of r.moves) io.out(describeMove(m));
        io.out(`flipped: version ${r.fromVersion} → ${r.toVersion}`);
      }
      return ExitCode.ok;
    });
  });
}

function reportStage(io: CliIO, e: StageEvent): void {
  if (io.json) return;
  if (e.type === 'finished') io.err(`${e.stage.padEnd(8)} ${formatDuration(e.durationMs).padStart(7)}  ${e.version === undefined ? '' : `v${e.version}  `}${e.detail}`);
  else if (e.type === 'waiting') io.err(`catch-up: ${e.detail} (${formatDuration(e.elapsedMs)})`);
  else if (e.type === 'failed') io.err(`${e.stage} failed: ${e.message}`);
}

function catchUpCommand(command: string | undefined): CatchUpCheck | undefined {
  if (command === undefined || command.trim() === '') return undefined;
  const argv = command.trim().split(/\s+/);
  return async (signal) => {
    const r = await runCommand(argv, { signal, timeoutMs: 10_000 });
    if (r.spawnError) return { ok: false, detail: r.spawnError };
    return r.exitCode === 0 ? { ok: true } : { ok: false, detail: `${argv.join(' ')} exited ${r.exitCode ?? 'without a code'}${r.stdout || r.stderr ? `: ${tail(r.stderr || r.stdout, 1)}` : ''}` };
  };
}
