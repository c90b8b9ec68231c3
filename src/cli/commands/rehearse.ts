import type { Command } from 'commander';
import { lastRanAt, predictRto, rehearsalsOf } from '../../rehearsal/history.js';
import { safetyRefusal } from '../../rehearsal/safety-gate.js';
import { engagedLever } from '../../state/safety.js';
import { evaluateSchedule, parseSchedule } from '../../rehearsal/schedule.js';
import { rehearsalPhases } from '../../rehearsal/session-phases.js';
import { skippedRehearsalPhases } from '../../rehearsal/skipped-run.js';
import { assertInputsPresent } from '../../runbook/required-inputs.js';
import { buildRuntimeScope } from '../../runbook/runtime-scope.js';
import type { Runbook } from '../../runbook/types.js';
import type { RunMeta } from '../../model/records.js';
import { openStateStore } from '../../state/open-store.js';
import { confirmationRequired, DrctlError, ExitCode, usageError } from '../../util/errors.js';
import { loadValidRunbook } from '../load-runbook.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';
import { createStyle } from '../output/style.js';
import { previewExitCode, previewRehearsal, renderPreview, type RehearsalPreview } from './rehearse-dry-run.js';
import { leaseOf } from '../options.js';
import { runCommandSession } from '../run-session.js';
import { acknowledgePause, pauseAfterFailedRehearsal } from './safety-notes.js';

export interface RehearseFlags {
  readonly set?: string[];
  readonly paramsFile?: string;
  readonly plugin?: string[];
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly concurrency?: number;
  readonly lease?: string;
  readonly ignoreSchedule?: boolean;
  readonly scenario?: string;
  readonly ack?: string;
}

/**
 * drctl rehearse RUNBOOK: schedule policy → readiness → steady state → inject the fault (t0) → detect →
 * switch → recovered → restore → fail back → steady state → report. Exit 0 SUCCEEDED, 1 FAILED,
 * 130 INTERRUPTED, 5 SKIPPED (by the schedule; recorded, even while another run holds the lock),
 * refused (no --yes without a terminal, or another run holds the lock: the ExitCode of those errors),
 * 3 bad input. --dry-run: 0 ready, 1 something does not hold, 5 the schedule would skip it. The safety
 * lever and a pause after a failed rehearsal skip it whatever the schedule (--ignore-schedule too);
 * --ack RUN_ID acknowledges the failed rehearsal that paused it.
 */
export async function rehearseCommand(io: CliIO, file: string, flags: RehearseFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const leaseMs = leaseOf(flags.lease, state);
  const loaded = await loadValidRunbook(file, flags.plugin ?? []);
  const { registry, text } = loaded;
  // the topology's modules only when the fault names its lost side
  const runbook = loaded.runbook.fault?.lost?.length
    ? await (await import('../../runbook/lost-names.js')).withFaultLostExpanded(loaded.runbook)
    : loaded.runbook;
  if (!runbook.fault) {
    throw new DrctlError(
      'no-fault',
      ExitCode.invalidInput,
      `${file}: drctl rehearse needs a spec.fault section (how to inject the fault and how to restore it)`,
      {
        hint: 'add spec.fault: { kind: fault.freeze | exec | http | a plug-in kind, with: ..., detect: [probes] }, or use drctl drill to switch and fail back without a fault',
      },
    );
  }
  const scope = await buildRuntimeScope(runbook, flags, process.env, {
    baseParams: { ...runbook.fault.params, ...scenarioParams(runbook, flags.scenario) },
  });
  const store = await openStateStore(state);
  try {
    if (flags.ack !== undefined) return await acknowledgePause(io, store, runbook.name, flags.ack, file);
    const history = await store.listRuns();
    const rehearsals = rehearsalsOf(history, runbook.name);
    const refusal = await safetyRefusal(store, runbook.name, 'rehearse');
    const schedule =
      refusal !== undefined
        ? { allowed: false as const, reason: refusal }
        : scheduleVerdict(runbook, rehearsals, Date.now(), flags.ignoreSchedule === true);
    if (flags.dryRun) {
      const preview = await previewRehearsal({ runbook, registry, scope, history, schedule, predictedRto: predictRto(rehearsals) });
      const code = previewExitCode(preview);
      io.out(scope.redactText(io.json ? envelope('rehearse', code === 0, preview) : renderPreview(preview, createStyle(io.color.out))));
      return code;
    }
    const target = { kind: 'new' as const, runbook, registry, runbookText: text, scope };
    if (!schedule.allowed) {
      // cron's "not now": recorded as SKIPPED without the lock (a run holding it does not turn this into a refusal)
      return await runCommandSession(io, {
        store,
        leaseMs,
        yes: true,
        target: { ...target, phases: skippedRehearsalPhases(schedule.reason) },
      });
    }
    assertInputsPresent(runbook);
    if (!flags.yes) {
      if (!io.interactive) throw confirmationRequired(`rehearse ${runbook.name}`);
      io.err(
        `This rehearsal injects a real fault: ${runbook.fault.description ?? runbook.fault.kind}; then switches, restores the fault and fails back.`,
      );
      if (!(await io.confirm(`Rehearse ${runbook.name} now?`))) {
        io.err('Nothing was changed.');
        return ExitCode.refused;
      }
    }
    // a rehearsal never prompts: gates inside it fail closed (the session's default approve)
    const code = await runCommandSession(io, {
      store,
      leaseMs,
      yes: true,
      target: { ...target, phases: rehearsalPhases({ concurrency: flags.concurrency, lever: () => engagedLever(store) }) },
    });
    if (code === ExitCode.failed) await pauseAfterFailedRehearsal(io, store, runbook.name, file);
    return code;
  } finally {
    await store.close();
  }
}

/**
 * --scenario NAME: rehearse that scenario of the runbook, with its params (over the fault's; --set still
 * wins). The rehearsal then counts for that scenario in drctl assess (linked by its params).
 */
function scenarioParams(runbook: Runbook, name: string | undefined): Readonly<Record<string, unknown>> {
  if (name === undefined) return {};
  const s = (runbook.scenarios ?? []).find((x) => x.name === name);
  if (!s)
    throw usageError(
      `--scenario ${name}: ${runbook.name} answers no scenario "${name}"`,
      `its scenarios: ${(runbook.scenarios ?? []).map((x) => x.name).join(', ') || '(none: spec.scenarios)'}`,
    );
  return s.params;
}

/** May it run now? The runbook's schedule policy against the clock and the last rehearsal that ran. */
function scheduleVerdict(runbook: Runbook, rehearsals: readonly RunMeta[], now: number, ignore: boolean): RehearsalPreview['schedule'] {
  if (runbook.schedule === undefined) return { allowed: true };
  const policy = parseSchedule(runbook.schedule);
  // validate reported any problem with file:line:column before we got here
  if (!policy.ok) throw new DrctlError('usage', ExitCode.invalidInput, `${runbook.file}: ${policy.error.join('; ')}`);
  const verdict = evaluateSchedule(policy.value, now, lastRanAt(rehearsals));
  if (ignore) return verdict.allowed ? verdict : { allowed: true, ignored: `--ignore-schedule: ${verdict.reason}` };
  return verdict;
}
