import type { Command } from 'commander';
import { runPhases } from '../../engine/run-phases.js';
import type { Plan } from '../../plan/types.js';
import { assertInputsPresent } from '../../runbook/required-inputs.js';
import { buildRuntimeScope } from '../../runbook/runtime-scope.js';
import type { OnFailure, Runbook } from '../../runbook/types.js';
import { openStateStore } from '../../state/open-store.js';
import { confirmationRequired, ExitCode } from '../../util/errors.js';
import { assertApprovable } from '../approvals.js';
import type { CliIO } from '../io.js';
import { loadValidRunbook } from '../load-runbook.js';
import { leaseOf } from '../options.js';
import { envelope } from '../output/json.js';
import { createStyle } from '../output/style.js';
import { runCommandSession } from '../run-session.js';

export interface RunFlags {
  readonly set?: string[];
  readonly paramsFile?: string;
  readonly plugin?: string[];
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly approve?: string[];
  readonly concurrency?: number;
  readonly onFailure?: OnFailure;
  readonly plan?: string;
  readonly lease?: string;
  readonly lost?: string;
  /** The lost data centers already resolved (respond: its scenario's, from the topology): --lost is not read. */
  readonly lostDcs?: readonly string[];
  /** Told the run's id once it has started (respond). */
  readonly onStarted?: (runId: string) => void;
}

/** drctl run|drill RUNBOOK: parse flags → the session's input (run or drill phases) → the view → the exit code. */
export const runCommandAction =
  (mode: 'run' | 'drill') =>
  async (io: CliIO, file: string, flags: RunFlags, cmd: Command): Promise<ExitCode> => {
    const { state } = cmd.optsWithGlobals<{ state: string }>();
    const leaseMs = leaseOf(flags.lease, state);
    const { runbook, registry, text } = await loadValidRunbook(file, flags.plugin ?? []);
    assertApprovable(runbook, flags.approve ?? []);
    const scope = await buildRuntimeScope(runbook, flags);
    const lostDcs =
      flags.lostDcs ??
      (flags.lost === undefined
        ? undefined
        : await (await import('../../runbook/lost-names.js')).lostOfRunbook(flags.lost, runbook, scope.params));
    if (!flags.dryRun) assertInputsPresent(runbook);
    // the safety lever: a drill it holds is refused (exit 5, recorded), a run only says so
    const held = flags.dryRun
      ? undefined
      : await (
          await import('./safety-notes.js')
        ).leverGate(io, state, mode, runbook.name, async (store, reason) => {
          const { skippedRehearsalPhases } = await import('../../rehearsal/skipped-run.js');
          return runCommandSession(io, {
            store,
            leaseMs,
            yes: true,
            target: { kind: 'new', runbook, registry, runbookText: text, scope, phases: skippedRehearsalPhases(reason, 'drill') },
          });
        });
    if (held !== undefined) return held;
    // planning is imported only by a run that plans (--dry-run, a terminal's confirmation, --plan):
    // an unattended `run --yes` starts without it
    const saved = flags.plan === undefined ? undefined : await loadCheckedPlan(flags.plan, file, runbook);
    // a saved plan is the approval (as `terraform apply plan`): it is re-checked against the live state under the lock.
    // --dry-run is a plan whatever else is given: with --plan it also says whether the saved plan still holds
    if (flags.dryRun || (!saved && !flags.yes && io.interactive)) {
      const [{ planExitCode, planRunbook, readRunHistory }, { renderPlan }] = await Promise.all([
        import('./plan-runbook.js'),
        import('../output/plan-human.js'),
      ]);
      const plan = await planRunbook(runbook, registry, scope, await readRunHistory(state), new AbortController().signal, lostDcs);
      const code = planExitCode(plan);
      if (flags.dryRun) {
        if (saved) (await import('./saved-plan.js')).assertPlanFresh(saved, plan);
        io.out(
          scope.redactText(io.json ? envelope(mode, code !== 1, plan) : renderPlan(plan, createStyle(io.color.out), { lost: lostDcs })),
        );
        return code;
      }
      io.err(scope.redactText(renderPlan(plan, createStyle(io.color.err), { lost: lostDcs })));
      if (!(await io.confirm(`${mode === 'drill' ? 'Drill (switch, then fail back)' : 'Run the switch'} ${runbook.name} now?`))) {
        io.err('Nothing was changed.');
        return ExitCode.refused;
      }
    } else if (!flags.yes && !saved) {
      throw confirmationRequired(`${mode} ${runbook.name}`);
    }
    const approved = new Set(flags.approve ?? []);
    const store = await openStateStore(state);
    try {
      const phases = runPhases({
        mode,
        concurrency: flags.concurrency,
        onFailure: flags.onFailure,
        shuffle: process.env.DRCTL_SHUFFLE === '1',
        lostDcs,
      });
      return await runCommandSession(io, {
        store,
        leaseMs,
        yes: true,
        ...(flags.onStarted ? { onStarted: flags.onStarted } : {}),
        approve: async (stepId, question) => approved.has(stepId) || (io.interactive && (await io.confirm(`[${stepId}] ${question}`))),
        target: {
          kind: 'new',
          runbook,
          registry,
          runbookText: text,
          scope,
          phases,
          // a saved plan is re-checked under the lock before anything is written: the run then re-decides each
          // step, and any decision that differs from the plan's was refused here (README: Architecture)
          ...(saved
            ? {
                beforeStart: async () => {
                  const [{ planRunbook }, { assertPlanFresh }] = await Promise.all([
                    import('./plan-runbook.js'),
                    import('./saved-plan.js'),
                  ]);
                  assertPlanFresh(
                    saved,
                    await planRunbook(runbook, registry, scope, await store.listRuns(), new AbortController().signal, lostDcs),
                  );
                },
              }
            : {}),
        },
      });
    } finally {
      await store.close();
    }
  };

/** A plan saved by `plan -o`, checked to be of this runbook. */
async function loadCheckedPlan(file: string, runbookFile: string, runbook: Runbook): Promise<Plan> {
  const { assertPlanRunbook, loadSavedPlan } = await import('./saved-plan.js');
  const saved = await loadSavedPlan(file);
  assertPlanRunbook(saved, runbookFile, runbook);
  return saved;
}
