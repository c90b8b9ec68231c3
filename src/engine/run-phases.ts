import type { RunStatus } from '../model/events.js';
import type { OnFailure } from '../runbook/types.js';
import { findBudgetOverruns } from './budgets.js';
import { withLost } from './context.js';
import { failBackDrill } from './drill-phases.js';
import { executeSteps, type ExecuteOutcome } from './executor.js';
import { outcomeOfPrior } from './prior-outcome.js';
import { firstError } from './first-error.js';
import { checkGroup, phasesResult, undoItems } from './phase-parts.js';
import type { Phases, PhasesContext, PhasesResult } from './phases.js';
import { journalResumption, type ResumeInput } from './resume-input.js';
import { rollbackSteps, type UndoOutcome } from './rollback.js';

export interface RunPhasesOptions {
  readonly mode: 'run' | 'drill';
  readonly concurrency?: number | undefined;
  readonly onFailure?: OnFailure | undefined;
  /** Randomise the order of ready steps (tests). */
  readonly shuffle?: boolean | undefined;
  /** A resumed run: what its journal says happened (journaled again as run.resumed first). */
  readonly resume?: ResumeInput;
  /** `--lost`: the data centers the switch's steps do not wait on (ctx.lost); undo is told none. */
  readonly lostDcs?: readonly string[] | undefined;
}

/** The phases of `run` and `drill` (and of their resumption): readiness → (steady state) → steps → (fail back). */
export function runPhases(o: RunPhasesOptions): Phases {
  return {
    mode: o.resume ? 'resume' : o.mode,
    ...(o.lostDcs === undefined ? {} : { lostDcs: o.lostDcs }),
    run: (ctx) => runOrDrill(ctx, o),
  };
}

async function runOrDrill(ctx: PhasesContext, o: RunPhasesOptions): Promise<PhasesResult> {
  const resume = o.resume && (await journalResumption(o.resume, ctx.emit));
  const { runbook, emit, clock } = ctx;
  const refuse = (error: string): PhasesResult => phasesResult(ctx, { status: 'failed', executed: undefined, overruns: [], error });

  const notReady = await checkGroup(ctx, 'readiness');
  if (notReady.length > 0) return refuse(`readiness failed (${notReady.join(', ')}): nothing was changed`);
  if (o.mode === 'drill' && runbook.steadyState.length > 0 && !resume) {
    const off = await checkGroup(ctx, 'steadyState', 'before the drill');
    if (off.length > 0) return refuse(`steady state does not hold before the drill (${off.join(', ')}): nothing was changed`);
  }

  const s0 = clock.monotonic();
  const replay = resume?.replay;
  // a resumed drill whose fail-back had begun goes straight back to failing back
  const failingBack = replay !== undefined && o.mode === 'drill' && replay.rollbackStarted;
  const executed = failingBack
    ? outcomeOfPrior(runbook, replay.prior, replay.toUndo)
    : await executeSteps({
        runbook,
        registry: ctx.registry,
        emit,
        clock,
        stop: ctx.stop,
        abort: ctx.abort,
        makeContext: withLost(ctx.makeContext, o.lostDcs),
        resolveParams: (step, outputsOf) => ctx.scope.interpolate(step.with, outputsOf),
        ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
        ...(o.onFailure === undefined ? {} : { onFailure: o.onFailure }),
        ...(o.shuffle === undefined ? {} : { shuffle: o.shuffle }),
        ...(replay ? { prior: replay.prior, intents: replay.intents } : {}),
      });
  if (failingBack) {
    for (const s of runbook.steps)
      if (!replay.prior.has(s.id))
        await emit({ type: 'step.cancelled', stepId: s.id, reason: 'not started: the drill was failing back when it was cut off' });
  }
  if (executed.fatal !== undefined || ctx.lost.aborted)
    return phasesResult(ctx, { status: 'failed', executed, overruns: [], error: String(ctx.lost.reason ?? executed.fatal) });
  const overruns = findBudgetOverruns(runbook, executed.steps, clock.monotonic() - s0);
  for (const b of overruns) await emit(b);
  let status: RunStatus = executed.status;
  let error = firstError(executed);
  // a resumed drill that was cut off while failing back a switch that had not finished: only the fail-back
  // is left to do, and the drill as a whole did not switch
  const notSwitched = failingBack ? runbook.steps.filter((s) => !replay.prior.has(s.id)).map((s) => s.id) : [];
  if (notSwitched.length > 0) {
    status = 'failed';
    error = `the drill was cut off before its switch finished (not done: ${notSwitched.join(', ')}); resumed, it only failed back`;
  }
  if (o.mode === 'drill') return failBackDrill(ctx, { status, executed, overruns, error });

  const onFailure = o.onFailure ?? runbook.onFailure;
  if (status !== 'failed' || onFailure !== 'rollback' || executed.undoOrder.length === 0)
    return phasesResult(ctx, { status, executed, overruns, error });
  const undone = new Map<string, UndoOutcome>();
  const order = [...executed.undoOrder].reverse();
  // a run that lost its lock or its journal fails back no further (another controller may own the switch now)
  const back = await rollbackSteps(undoItems(ctx, executed), {
    reason: 'a step failed and onFailure is rollback',
    clock,
    emit,
    abort: ctx.abort,
    halt: ctx.lost,
    makeContext: ctx.makeContext,
    outcomes: undone,
  });
  error = `${error ?? 'a step failed'}; ${back ? `rolled back every step that changed something: ${order.map((id) => rolledBackLabel(id, executed)).join(', ')}` : 'ROLLBACK INCOMPLETE: see the journal'}`;
  return phasesResult(ctx, { status, executed, overruns, error, undone });
}

/** "lb (failed after it began applying)" for a step rolled back although it failed. */
function rolledBackLabel(id: string, executed: ExecuteOutcome): string {
  const status = executed.steps.get(id)?.status;
  return status === 'failed' || status === 'cancelled' ? `${id} (${status} after it began applying)` : id;
}
