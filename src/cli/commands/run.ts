import type { Command } from 'commander';
import type { EventListener } from '../../model/events.js';
import { runSession, type SessionOptions, type SessionOutcome } from '../../engine/session.js';
import type { OnFailure, Runbook } from '../../runbook/types.js';
import { openStateStore } from '../../state/open-store.js';
import { ETCD_MIN_LEASE_MS } from '../../state/store-url.js';
import { isEtcdUrl } from '../../infra/etcd-url.js';
import { isResumableRun } from '../../model/records.js';
import { formatDuration, MAX_TIMER_MS, parseDuration } from '../../util/duration.js';
import { confirmationRequired, ExitCode, usageError } from '../../util/errors.js';
import { assertApprovable } from '../approvals.js';
import { loadValidRunbook } from '../load-runbook.js';
import { assertInputsPresent } from '../required-inputs.js';
import { buildRuntimeScope } from '../runtime-scope.js';
import type { CliIO } from '../io.js';
import { envelope, ndjsonEvent, ndjsonSummary, ndjsonVersionLine } from '../output/json.js';
import { createPlainRenderer } from '../output/progress-plain.js';
import { renderRunSummary } from '../output/run-summary.js';
import { createStyle } from '../output/style.js';
import { drctlVersion } from '../version.js';
import type { Plan } from '../../plan/types.js';
import { trapInterrupts } from './signals.js';
import { failpointsFromEnv } from '../failpoints.js';

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
}

/** drctl run|drill RUNBOOK. */
export const runCommandAction = (mode: 'run' | 'drill') =>
  async (io: CliIO, file: string, flags: RunFlags, cmd: Command): Promise<ExitCode> => {
    const { state } = cmd.optsWithGlobals<{ state: string }>();
    const leaseMs = leaseOf(flags.lease, state);
    const { runbook, registry, text } = await loadValidRunbook(file, flags.plugin ?? []);
    assertApprovable(runbook, flags.approve ?? []);
    const scope = await buildRuntimeScope(runbook, flags);
    if (!flags.dryRun) assertInputsPresent(runbook);
    // planning is imported only by a run that plans (--dry-run, a terminal's confirmation, --plan):
    // an unattended `run --yes` starts without it
    const saved = flags.plan === undefined ? undefined : await loadCheckedPlan(flags.plan, file, runbook);
    // a saved plan is the approval (as `terraform apply plan`): it is re-checked against the live state under the lock.
    // --dry-run is a plan whatever else is given: with --plan it also says whether the saved plan still holds
    if (flags.dryRun || (!saved && !flags.yes && io.interactive)) {
      const [{ planExitCode, planRunbook, readRunHistory }, { renderPlan }] = await Promise.all([import('./plan-runbook.js'), import('../output/plan-human.js')]);
      const plan = await planRunbook(runbook, registry, scope, await readRunHistory(state), new AbortController().signal);
      const code = planExitCode(plan);
      if (flags.dryRun) {
        if (saved) (await import('./saved-plan.js')).assertPlanFresh(saved, plan);
        io.out(scope.redactText(io.json ? envelope(mode, code !== 1, plan) : renderPlan(plan, createStyle(io.color.out))));
        return code;
      }
      io.err(scope.redactText(renderPlan(plan, createStyle(io.color.err))));
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
      return await runWithView(io, scope.redactText, (listeners, signals) => runSession({
        runbook, runbookText: text, registry, mode, params: scope.params,
        interpolate: scope.interpolate, redact: scope.redactText, store, listeners, leaseMs,
        approve: async (stepId, question) => approved.has(stepId) || (io.interactive && (await io.confirm(`[${stepId}] ${question}`))),
        ...signals,
        ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
        ...(flags.onFailure === undefined ? {} : { onFailure: flags.onFailure }),
        ...(saved ? {
          beforeStart: async () => {
            const [{ planRunbook }, { assertPlanFresh }] = await Promise.all([import('./plan-runbook.js'), import('./saved-plan.js')]);
            assertPlanFresh(saved, await planRunbook(runbook, registry, scope, await store.listRuns(), new AbortController().signal));
          },
        } : {}),
        shuffle: process.env.DRCTL_SHUFFLE === '1',
      }));
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

/**
 * The live view (listr on a terminal, plain lines in CI, NDJSON with --json), interrupts, the summary
 * and the exit code around one session (run, drill, resume).
 */
export async function runWithView(
  io: CliIO,
  redact: (text: string) => string,
  start: (listeners: EventListener[], signals: Pick<SessionOptions, 'stop' | 'abort' | 'failpoint'>) => Promise<SessionOutcome>,
): Promise<ExitCode> {
  const listeners: EventListener[] = [];
  let finish: () => Promise<void> = async () => undefined;
  if (io.json) {
    io.out(ndjsonVersionLine(drctlVersion()));
    listeners.push((e) => io.out(ndjsonEvent(e)));
  } else if (io.interactive) {
    const { createListrRenderer } = await import('../output/progress-listr.js');
    const view = createListrRenderer();
    // rollback: the task list starts at rollback.started (its run.started would leave a list of steps never run)
    listeners.push(humanView((e) => (e.type === 'run.started' && e.mode === 'rollback' ? undefined : view.listener(e))));
    finish = view.done;
  } else {
    listeners.push(humanView(createPlainRenderer((line) => io.err(line), createStyle(io.color.err))));
  }
  listeners.push((e) => {
    if (e.type === 'lock.acquired' && e.tookOver) io.err(`warning: took over the lock "${e.scope}" from run ${e.tookOver.runId} (${e.tookOver.holder}): ${e.tookOver.why}`);
  });
  const interrupts = trapInterrupts((signal) => io.err(`${signal}: no new step will start; press Ctrl-C again to cancel running steps`));
  try {
    const outcome = await start(listeners, { stop: interrupts.stop, abort: interrupts.abort, failpoint: failpointsFromEnv() });
    await finish();
    if (io.json) io.out(ndjsonSummary(outcome.meta));
    else io.out(redact(renderRunSummary(outcome.meta, createStyle(io.color.out))));
    if (outcome.status === 'skipped') return ExitCode.skipped;
    if (outcome.status === 'interrupted') {
      // a rehearsal restores and fails back by itself; a run or drill is continued where it stopped
      if (isResumableRun(outcome.meta)) io.err(`the run is resumable: drctl resume ${outcome.runId}`);
      else if (outcome.meta.mode === 'drill' && !outcome.meta.rolledBack) io.err(`the drill was cut off during its switch and has failed back: the estate is as it was before (start a new drill)`);
      return ExitCode.interrupted;
    }
    return outcome.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
  } finally {
    interrupts.dispose();
  }
}

/** Human views of a resumed run also show the steps an earlier process finished (not journaled again). */
const humanView = (view: EventListener): EventListener => (e) => {
  view(e);
  if (e.type !== 'run.resumed') return;
  for (const stepId of e.done) view({ type: 'step.skipped', stepId, reason: 'done by an earlier process', state: undefined, outputs: {}, runId: e.runId, at: e.at });
};

/** --lease DURATION (also DRCTL_LEASE): how long the lock lives without renewal (default 15s); `state`: the --state it is for. */
export function leaseOf(flag: string | undefined, state: string): number | undefined {
  const text = flag ?? process.env.DRCTL_LEASE;
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 300 || ms > MAX_TIMER_MS) throw usageError(`--lease ${text}: a duration from 300ms to ${formatDuration(MAX_TIMER_MS)} (e.g. 15s)`);
  if (ms < ETCD_MIN_LEASE_MS && isEtcdUrl(state)) {
    throw usageError(`--lease ${text}: an etcd state store needs a lease of at least ${ETCD_MIN_LEASE_MS / 1000}s`, 'a shorter lease cannot be kept alive across an etcd leader election on a busy machine (the run would stop as "state store unreachable")');
  }
  return ms;
}
