import type { Command } from 'commander';
import type { EventListener } from '../../engine/events.js';
import { runSession } from '../../engine/session.js';
import type { OnFailure } from '../../runbook/types.js';
import { confirmationRequired, ExitCode } from '../../util/errors.js';
import { loadValidRunbook } from '../load-runbook.js';
import { assertInputsPresent } from '../required-inputs.js';
import { buildRuntimeScope } from '../runtime-scope.js';
import type { CliIO } from '../io.js';
import { envelope, ndjsonEvent, ndjsonVersionLine } from '../output/json.js';
import { renderPlan } from '../output/plan-human.js';
import { createPlainRenderer } from '../output/progress-plain.js';
import { renderRunSummary } from '../output/run-summary.js';
import { createStyle } from '../output/style.js';
import { drctlVersion } from '../version.js';
import { planExitCode, planRunbook } from './plan-runbook.js';
import { trapInterrupts } from './signals.js';

export interface RunFlags {
  readonly set?: string[];
  readonly paramsFile?: string;
  readonly plugin?: string[];
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly approve?: string[];
  readonly concurrency?: number;
  readonly onFailure?: OnFailure;
}

/** drctl run|drill RUNBOOK. */
export const runCommandAction = (mode: 'run' | 'drill') =>
  async (io: CliIO, file: string, flags: RunFlags, cmd: Command): Promise<ExitCode> => {
    const { state } = cmd.optsWithGlobals<{ state: string }>();
    const { runbook, registry, text } = await loadValidRunbook(file, flags.plugin ?? []);
    const scope = await buildRuntimeScope(runbook, flags);
    if (!flags.dryRun) assertInputsPresent(runbook);
    const out = createStyle(io.color.out);
    if (flags.dryRun || (!flags.yes && io.interactive)) {
      const plan = await planRunbook(runbook, registry, scope, state, new AbortController().signal);
      const code = planExitCode(plan);
      if (flags.dryRun) {
        io.out(scope.redactText(io.json ? envelope(mode, code !== 1, plan) : renderPlan(plan, out)));
        return code;
      }
      io.err(scope.redactText(renderPlan(plan, createStyle(io.color.err))));
      if (!(await io.confirm(`${mode === 'drill' ? 'Drill (switch, then fail back)' : 'Run the switch'} ${runbook.name} now?`))) {
        io.err('Nothing was changed.');
        return ExitCode.refused;
      }
    } else if (!flags.yes) {
      throw confirmationRequired(`${mode} ${runbook.name}`);
    }

    const listeners: EventListener[] = [];
    let finish: () => Promise<void> = async () => undefined;
    if (io.json) {
      io.out(ndjsonVersionLine(drctlVersion()));
      listeners.push((e) => io.out(ndjsonEvent(e)));
    } else if (io.interactive) {
      const { createListrRenderer } = await import('../output/progress-listr.js');
      const view = createListrRenderer();
      listeners.push(view.listener);
      finish = view.done;
    } else {
      listeners.push(createPlainRenderer((line) => io.err(line), createStyle(io.color.err)));
    }
    const approved = new Set(flags.approve ?? []);
    const interrupts = trapInterrupts((signal) => io.err(`${signal}: no new step will start; press Ctrl-C again to cancel running steps`));
    try {
      const outcome = await runSession({
        runbook, runbookText: text, registry, mode, params: scope.params,
        interpolate: scope.interpolate, redact: scope.redactText, stateDir: state, listeners,
        approve: async (stepId, question) => approved.has(stepId) || (io.interactive && (await io.confirm(`[${stepId}] ${question}`))),
        stop: interrupts.stop, abort: interrupts.abort,
        ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
        ...(flags.onFailure === undefined ? {} : { onFailure: flags.onFailure }),
        shuffle: process.env.DRCTL_SHUFFLE === '1',
      });
      await finish();
      if (io.json) io.out(JSON.stringify({ type: 'summary', ...outcome.meta }));
      else io.out(scope.redactText(renderRunSummary(outcome.meta, out)));
      if (outcome.status === 'interrupted') return ExitCode.interrupted;
      return outcome.status === 'succeeded' ? ExitCode.ok : ExitCode.failed;
    } finally {
      interrupts.dispose();
    }
  };
