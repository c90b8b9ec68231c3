import type { KindRegistry } from '../kinds/registry.js';
import type { Runbook } from '../runbook/types.js';
import type { ReplayedRun } from '../state/journal-replay.js';
import { DrctlError, ExitCode, usageError } from '../util/errors.js';
import type { RuntimeScope } from '../runbook/runtime-scope.js';

export interface InFlightFlags {
  readonly assumeApplied?: readonly string[] | undefined;
  readonly reapply?: readonly string[] | undefined;
}

export interface InFlightDecisions {
  /** Recorded as applied without running them again (rollback restores their before-state). */
  readonly assumeApplied: readonly string[];
  /** Applied again although it cannot be told whether the first apply landed. */
  readonly reapply: readonly string[];
}

/**
 * Steps with an intent and no outcome are observed again on resume — but a step whose kind cannot
 * observe these params (exec/http without `observe`) would just be applied a second time. Resume
 * refuses those (exit 4) unless the operator decides each one: --assume-applied STEP or --reapply STEP.
 */
export function decideInFlight(
  runId: string,
  runbook: Runbook,
  registry: KindRegistry,
  replay: ReplayedRun,
  scope: RuntimeScope,
  flags: InFlightFlags,
): InFlightDecisions {
  const inFlight = [...replay.intents.keys()];
  const assume = [...new Set(flags.assumeApplied ?? [])];
  const again = [...new Set(flags.reapply ?? [])];
  for (const [flag, ids] of [
    ['--assume-applied', assume],
    ['--reapply', again],
  ] as const) {
    for (const id of ids) {
      if (!replay.intents.has(id)) {
        throw usageError(`${flag} ${id}: step "${id}" is not in flight in run ${runId} (in flight: ${inFlight.join(', ') || 'none'})`);
      }
    }
  }
  const both = assume.filter((id) => again.includes(id));
  if (both.length > 0) throw usageError(`--assume-applied and --reapply both name ${both.join(', ')}: decide one per step`);
  const undecided = inFlight.filter(
    (id) => !assume.includes(id) && !again.includes(id) && !observable(id, runbook, registry, replay, scope),
  );
  if (undecided.length > 0) {
    const list = undecided.join(', ');
    throw new DrctlError(
      'in-flight-unobservable',
      ExitCode.refused,
      `run ${runId}: step(s) ${list} journaled an intent but no outcome, and cannot be observed (no observe): whether the change was made cannot be known, and applying it again may do it twice; nothing was changed`,
      {
        hint: `check ${undecided.length > 1 ? 'each one' : 'it'} by hand, then resume with ${undecided.map((id) => `--assume-applied ${id}`).join(' ')} (the change is in place: record it applied; rollback still restores its before-state) or ${undecided.map((id) => `--reapply ${id}`).join(' ')} (apply it again)`,
      },
    );
  }
  return { assumeApplied: assume, reapply: again };
}

/** Whether the step's kind can observe its params; params that cannot be resolved count as observable (the step will fail before applying). */
function observable(stepId: string, runbook: Runbook, registry: KindRegistry, replay: ReplayedRun, scope: RuntimeScope): boolean {
  const step = runbook.steps.find((s) => s.id === stepId);
  const kind = step && registry.get(step.kind);
  if (!step || !kind?.observable) return true;
  let params: unknown;
  try {
    params = scope.interpolate(step.with, (id) => replay.outputs.get(id));
  } catch {
    return true;
  }
  return kind.observable(params);
}
