import type { RunMode } from '../model/events.js';
import { computeLayers } from '../plan/graph.js';
import type { Runbook } from '../runbook/types.js';
import type { ReplayedRun } from '../state/journal-replay.js';

/** What `drctl rollback` returns each step to, in the order it does so (pure). */
export interface UndoPlan {
  /** baseline: every step back to the state before the run changed anything; before-states: each changed step to what it observed. */
  readonly to: 'baseline' | 'before-states';
  readonly items: readonly { readonly stepId: string; readonly before: unknown }[];
  /** Steps the run may have changed but with no recorded state to return to (their observe failed before the cut). */
  readonly unknown: readonly string[];
}

/**
 * A run (mode run) is undone step by step: every applied step, and one whose apply was cut off, back to
 * the before-state it observed, newest first; steps already rolled back are left out.
 *
 * A drill or a rehearsal is returned to its baseline, whatever changed each step: drctl's apply, the
 * estate by itself while the fault was in place (Sentinel elects a new master during the cut: the cache
 * step then never applies), or an apply cut off by the controller's death. Every step with a recorded
 * state is in the plan — the rehearsal's journaled baseline (observed before the fault), else the first
 * state the run observed (an intent's before, a skip's state) — also steps never started and steps a
 * cut-off fail-back already undid: each is observed again, and one found as it was is "already as
 * before". Order: reverse completion, the steps never started first (in reverse dependency order: none of
 * them is a need of a started one). A drill or rehearsal whose fail-back completed has nothing left to undo.
 */
export function planUndo(runbook: Runbook, replay: ReplayedRun, mode: RunMode): UndoPlan {
  const baseline = replay.baseline;
  // a run, or a rehearsal journaled before baselines were: each changed step to its own before-state
  if (mode !== 'drill' && !(mode === 'rehearse' && baseline)) {
    return { to: 'before-states', items: [...replay.toUndo].reverse().map((u) => ({ stepId: u.stepId, before: u.before })), unknown: [] };
  }
  if (replay.rollbackFinished) return { to: 'baseline', items: [], unknown: [] };
  const reached = new Set(replay.touched);
  const notStarted = computeLayers(runbook.steps)
    .flat()
    .filter((id) => !reached.has(id));
  const forward = [...replay.touched.filter((id) => runbook.steps.some((s) => s.id === id)), ...notStarted];
  // a drill has no fault: nothing but its own applies changed the estate, each journaled with what it observed first
  const intended = (id: string): boolean =>
    replay.intents.has(id) || replay.prior.get(id)?.status === 'applied' || replay.toUndo.some((u) => u.stepId === id);
  const items: { stepId: string; before: unknown }[] = [];
  const unknown: string[] = [];
  for (const stepId of forward.reverse()) {
    if (baseline) {
      if (Object.hasOwn(baseline.states, stepId)) items.push({ stepId, before: baseline.states[stepId] });
      else if (Object.hasOwn(baseline.unobserved, stepId)) unknown.push(stepId);
    } else if (intended(stepId) && replay.firstSeen.has(stepId)) {
      items.push({ stepId, before: replay.firstSeen.get(stepId) });
    }
  }
  return { to: 'baseline', items, unknown };
}
