import type { EngineEvent, StepTiming } from '../model/events.js';
import type { PriorStep, RecordedCommand } from '../model/replay.js';
import type { JournalRecord } from '../model/records.js';

type Started = Extract<EngineEvent, { type: 'run.started' }>;

/** What a run's journal says happened: the input of resume and rollback (pure). */
export interface ReplayedRun {
  /** The first run.started: mode, params, steps as the run began. */
  readonly started: Started | undefined;
  readonly params: Readonly<Record<string, unknown>>;
  /** Steps done for good (applied, recovered, skipped), in completion order. */
  readonly prior: ReadonlyMap<string, PriorStep>;
  /** Steps with an intent and no done outcome (a crash or failure between intent and outcome) → their before-state. */
  readonly intents: ReadonlyMap<string, unknown>;
  /** What a rollback undoes, in completion order (in-flight intents at their intent's place); rolled-back ones left out. */
  readonly toUndo: readonly { readonly stepId: string; readonly before: unknown; readonly inFlight: boolean }[];
  readonly outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /**
   * Every step the run reached (an intent, or an outcome: applied, recovered, skipped), in completion
   * order (a step still in flight at its intent's place), rolled back ones included.
   */
  readonly touched: readonly string[];
  /** The run's baseline (run.baseline), if it journaled one: every step's state before anything changed. */
  readonly baseline:
    { readonly states: Readonly<Record<string, unknown>>; readonly unobserved: Readonly<Record<string, string>> } | undefined;
  /** Each step's first observed state (its first intent's before, or the state it was skipped in). */
  readonly firstSeen: ReadonlyMap<string, unknown>;
  /** A fail-back / rollback began in this run. */
  readonly rollbackStarted: boolean;
  /** A fail-back (rollback) that began also ended with every step undone (rollback.finished ok). */
  readonly rollbackFinished: boolean;
  /** Every command the run's steps started (step.command), oldest first. */
  readonly commands: readonly RecordedCommand[];
  readonly lastSeq: number;
}

export function replayJournal(records: readonly JournalRecord[]): ReplayedRun {
  let started: Started | undefined;
  const before = new Map<string, unknown>();
  const done = new Map<string, { status: 'applied' | 'skipped'; outputs: Readonly<Record<string, unknown>> }>();
  const timing = new Map<string, StepTiming>();
  const order = new Map<string, number>();
  const rolledBack = new Set<string>();
  const intentCount = new Map<string, number>();
  const commands: RecordedCommand[] = [];
  const touched = new Map<string, number>();
  const firstSeen = new Map<string, unknown>();
  let baseline: ReplayedRun['baseline'];
  let rollbackStarted = false;
  let rollbackFinished = false;
  let lastSeq = 0;
  let fence = 0;
  const moveToEnd = (id: string, seq: number): void => {
    order.delete(id);
    order.set(id, seq);
  };
  for (const r of records) {
    lastSeq = Math.max(lastSeq, r.seq ?? 0);
    // a record with an older fencing token after a newer one was written by a controller that had lost
    // the lock (a write it began before the takeover): it does not count
    if (typeof r.fence === 'number') {
      if (r.fence < fence) continue;
      fence = r.fence;
    }
    const e = r as EngineEvent;
    noteTouched(e, r.seq, touched, firstSeen);
    switch (e.type) {
      case 'run.started':
        started ??= e;
        break;
      case 'run.baseline':
        baseline ??= { states: e.states, unobserved: e.unobserved };
        break;
      case 'step.intent':
        intentCount.set(e.stepId, (intentCount.get(e.stepId) ?? 0) + 1);
        if (!before.has(e.stepId)) before.set(e.stepId, e.before);
        if (!order.has(e.stepId)) order.set(e.stepId, r.seq);
        rolledBack.delete(e.stepId);
        break;
      case 'step.applied':
      case 'step.recovered':
        done.set(e.stepId, { status: 'applied', outputs: e.outputs });
        moveToEnd(e.stepId, r.seq);
        rolledBack.delete(e.stepId);
        break;
      case 'step.skipped':
        // skipped after an intent of its own: the earlier apply had taken effect (recovered)
        if (before.has(e.stepId)) {
          done.set(e.stepId, { status: 'applied', outputs: e.outputs });
          moveToEnd(e.stepId, r.seq);
        } else if (!done.has(e.stepId)) {
          done.set(e.stepId, { status: 'skipped', outputs: e.outputs });
        }
        break;
      case 'step.failed':
        // its one intent was journaled but its apply never began (e.g. command not found): nothing to undo.
        // More than one intent (a retry, or a resume after a crash mid-apply): an earlier apply may have acted
        if (e.error.unchanged === true && !done.has(e.stepId) && intentCount.get(e.stepId) === 1) {
          before.delete(e.stepId);
          order.delete(e.stepId);
        }
        break;
      case 'step.command':
        commands.push({ stepId: e.stepId, pid: e.pid, startTime: e.startTime, command: e.command });
        break;
      case 'step.timing':
        timing.set(e.stepId, e.timing);
        break;
      case 'rollback.started':
        rollbackStarted = true;
        rollbackFinished = false;
        break;
      case 'rollback.finished':
        rollbackFinished = e.ok;
        break;
      case 'step.rolled-back':
        rolledBack.add(e.stepId);
        break;
      default:
        break;
    }
  }
  const prior = new Map<string, PriorStep>();
  const ids = [...new Set([...order.keys(), ...done.keys()])];
  for (const id of ids) {
    const d = done.get(id);
    if (!d) continue;
    const t = timing.get(id);
    prior.set(id, { status: d.status, outputs: d.outputs, before: before.get(id), ...(t ? { timing: t } : {}) });
  }
  const intents = new Map([...before].filter(([id]) => !done.has(id)));
  const toUndo = [...order.keys()]
    .filter((id) => before.has(id) && !rolledBack.has(id))
    .map((id) => ({ stepId: id, before: before.get(id), inFlight: !done.has(id) }));
  const outputs = new Map([...done].map(([id, d]) => [id, d.outputs] as const));
  return {
    started,
    params: started?.params ?? {},
    prior,
    intents,
    toUndo,
    outputs,
    rollbackStarted,
    rollbackFinished,
    commands,
    lastSeq,
    touched: [...touched.keys()],
    baseline,
    firstSeen,
  };
}

/** A step reached: at its intent (first seen), moved to its completion when an outcome comes. */
function noteTouched(e: EngineEvent, seq: number, touched: Map<string, number>, firstSeen: Map<string, unknown>): void {
  if (e.type === 'step.intent') {
    if (!firstSeen.has(e.stepId)) firstSeen.set(e.stepId, e.before);
    if (!touched.has(e.stepId)) touched.set(e.stepId, seq);
  } else if (e.type === 'step.applied' || e.type === 'step.recovered' || e.type === 'step.skipped') {
    if (e.type === 'step.skipped' && !firstSeen.has(e.stepId)) firstSeen.set(e.stepId, e.state);
    touched.delete(e.stepId);
    touched.set(e.stepId, seq);
  }
}

/**
 * The operator's decision for in-flight steps (resume --assume-applied): each counts as applied, done by
 * the earlier process, with its intent's before-state (rollback still restores it). Pure.
 */
export function assumeApplied(run: ReplayedRun, stepIds: readonly string[]): ReplayedRun {
  if (stepIds.length === 0) return run;
  const prior = new Map(run.prior);
  const intents = new Map(run.intents);
  for (const id of stepIds) {
    if (!intents.has(id)) continue;
    prior.set(id, { status: 'applied', outputs: {}, before: intents.get(id) });
    intents.delete(id);
  }
  return { ...run, prior, intents, toUndo: run.toUndo.map((u) => (stepIds.includes(u.stepId) ? { ...u, inFlight: false } : u)) };
}
