import type { CheckGroup, EventInput } from '../model/events.js';
import type { AnyKind } from '../model/kind.js';
import { observeAll, type Observation } from '../plan/observe-all.js';
import type { Probe } from '../runbook/types.js';
import { messageOf } from '../util/errors.js';
import type { RehearsalInput } from './input.js';
import { checkSteady } from './steady.js';

export type PreFault =
  | {
      readonly ready: true;
      readonly baseline: ReadonlyMap<string, Observation>;
      readonly faultKind: AnyKind;
      readonly faultParams: unknown;
    }
  /** Nothing was changed: why, and whether an interrupt (not a failed check) said so. */
  | { readonly ready: false; readonly reason: string; readonly interrupted: boolean };

/**
 * Everything before t0, read-only and stopped by an interrupt (`halt`): readiness → steady state →
 * the baseline (what fail-back restores) → the fault's kind and params (they must be reversible) →
 * every stop condition once (all must hold). An interrupt anywhere here means nothing is injected.
 */
export async function checkBeforeFault(o: RehearsalInput, halt: AbortSignal): Promise<PreFault> {
  const { runbook } = o;
  const fault = runbook.fault;
  if (!fault) throw new Error('internal: rehearse needs spec.fault (validated by the command)');
  const refused = (reason: string): PreFault => ({ ready: false, reason: `${reason}: nothing was changed`, interrupted: false });
  const interrupted = (): PreFault => ({
    ready: false,
    reason: `interrupted (${messageOf(halt.reason)}) before the fault: nothing was changed`,
    interrupted: true,
  });
  const check = (group: CheckGroup, probes: readonly Probe[], phase: string) =>
    checkSteady(probes, {
      group,
      phase,
      emit: o.emit,
      interpolate: (v) => o.interpolate(v),
      makeContext: (name) => o.makeContext(`${group}:${name}`, halt, {}),
    });
  try {
    const notReady = await check('readiness', runbook.readiness, 'readiness');
    if (notReady.length > 0) return refused(`readiness failed (${notReady.join(', ')})`);
    const off = await check('steadyState', runbook.steadyState, 'before the fault');
    if (off.length > 0) return refused(`steady state does not hold before the fault (${off.join(', ')})`);
    // the world before the fault: what fail-back restores, also for steps the estate healed by itself
    const baseline = await observeAll({
      runbook,
      registry: o.registry,
      signal: halt,
      interpolate: (step, outputsOf) => o.interpolate(step.with, outputsOf),
      makeContext: (id, signal) => o.makeContext(id, signal, {}),
    });
    if (halt.aborted) return interrupted();
    // journaled: a `drctl rollback` after this controller's death returns every step to it, whatever changed them
    await o.emit(baselineEvent(baseline));
    const faultKind = o.registry.get(fault.kind);
    if (!faultKind) return refused(`unknown fault kind "${fault.kind}"`);
    const faultParams = o.interpolate(fault.with);
    if (faultKind.reversible?.(faultParams) === false)
      return refused(`the fault (${fault.kind}) cannot be restored: its params define no way back`);
    const breached = await check('stopConditions', runbook.stopConditions, 'before the fault');
    if (breached.length > 0)
      return refused(
        `stop condition${breached.length > 1 ? 's' : ''} ${breached.map((n) => `"${n}"`).join(', ')} already breached before the fault`,
      );
    if (halt.aborted) return interrupted();
    return { ready: true, baseline, faultKind, faultParams };
  } catch (e) {
    if (halt.aborted) return interrupted();
    throw e;
  }
}

/** The run.baseline record: every observed step's state, and why the others could not be observed. */
function baselineEvent(baseline: ReadonlyMap<string, Observation>): Extract<EventInput, { type: 'run.baseline' }> {
  const states: Record<string, unknown> = {};
  const unobserved: Record<string, string> = {};
  for (const [id, obs] of baseline) {
    if (obs.error === undefined) states[id] = obs.state;
    else unobserved[id] = obs.error;
  }
  return { type: 'run.baseline', states, unobserved };
}
