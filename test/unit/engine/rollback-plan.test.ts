import { describe, expect, it } from 'vitest';
import { createContextFactory } from '../../../src/engine/context.js';
import { rollbackSteps, type UndoOutcome } from '../../../src/engine/rollback.js';
import { planUndo } from '../../../src/engine/rollback-plan.js';
import { buildSummary } from '../../../src/engine/summary.js';
import { NOTHING_UNDONE } from '../../../src/model/kind.js';
import { ALREADY_AS_BEFORE, type EngineEvent, type EventInput } from '../../../src/model/events.js';
import type { JournalRecord } from '../../../src/model/records.js';
import { replayJournal } from '../../../src/state/journal-replay.js';
import { realClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/logger.js';
import { createWorld, memKind, runbookOf, step } from '../../helpers/mem-kind.js';

let seq = 0;
const rec = (r: object): JournalRecord =>
  ({ runId: 'r', at: '2026-01-01T00:00:00.000Z', schemaVersion: 2, seq: ++seq, fence: 1, ...r }) as JournalRecord;
const started = (mode: string) =>
  rec({ type: 'run.started', mode, runbook: { name: 'x', file: '/x', hash: 'h' }, params: {}, steps: [], host: 'h', user: 'u', pid: 1 });
const intent = (stepId: string, before: unknown) => rec({ type: 'step.intent', stepId, attempt: 1, before, desired: {}, describe: '' });
const applied = (stepId: string) => rec({ type: 'step.applied', stepId, after: {}, describe: '', outputs: {}, notes: {} });
const skipped = (stepId: string, state: unknown) => rec({ type: 'step.skipped', stepId, reason: 'already done', state, outputs: {} });
const rolledBack = (stepId: string) => rec({ type: 'step.rolled-back', stepId, describe: '', durationMs: 1, changed: true });

// db → cache → lb → dns (cache and db independent of each other, lb needs both, dns needs lb)
const runbook = runbookOf([
  step('db', [], { key: 'db', to: 'sh' }),
  step('cache', [], { key: 'cache', to: 'sh' }),
  step('lb', ['db', 'cache'], { key: 'lb', to: 'sh' }),
  step('dns', ['lb'], { key: 'dns', to: 'sh' }),
]);
const baseline = rec({
  type: 'run.baseline',
  states: { db: 'db-home', cache: 'cache-home', lb: 'lb-home' },
  unobserved: { dns: 'timed out' },
});

describe('planUndo: what drctl rollback returns each step to', () => {
  it('a run: each changed step back to its own before-state, newest first, rolled-back ones left out', () => {
    const replay = replayJournal([
      started('run'),
      intent('db', 'db0'),
      applied('db'),
      intent('lb', 'lb0'),
      applied('lb'),
      intent('dns', 'dns0'),
      rolledBack('dns'),
    ]);
    expect(planUndo(runbook, replay, 'run')).toEqual({
      to: 'before-states',
      items: [
        { stepId: 'lb', before: 'lb0' },
        { stepId: 'db', before: 'db0' },
      ],
      unknown: [],
    });
  });

  it('a rehearsal killed before any step: every step back to the baseline (also the ones Sentinel changed by itself), dependents first', () => {
    const replay = replayJournal([started('rehearse'), baseline, rec({ type: 'fault.intent', describe: 'cut', before: {} })]);
    expect(planUndo(runbook, replay, 'rehearse')).toEqual({
      to: 'baseline',
      // never started: in reverse dependency order (lb before what it needs); dns had no baseline
      items: [
        { stepId: 'lb', before: 'lb-home' },
        { stepId: 'cache', before: 'cache-home' },
        { stepId: 'db', before: 'db-home' },
      ],
      unknown: ['dns'],
    });
  });

  it('a rehearsal killed mid-switch: a skipped step (the estate got there by itself) and one cut off mid-apply go back to the baseline, not to what they saw during the cut', () => {
    const replay = replayJournal([
      started('rehearse'),
      baseline,
      skipped('cache', 'cache-elected'),
      intent('db', 'db-during-cut'),
      applied('db'),
      intent('lb', 'lb-during-cut'),
    ]);
    const plan = planUndo(runbook, replay, 'rehearse');
    // never started first (none here but dns, unknown), then reverse completion: lb (in flight) → db → cache
    expect(plan.items).toEqual([
      { stepId: 'lb', before: 'lb-home' },
      { stepId: 'db', before: 'db-home' },
      { stepId: 'cache', before: 'cache-home' },
    ]);
  });

  it('a fail-back that was itself cut off: the steps it already undid are in the plan again (observed: "already as before")', () => {
    const replay = replayJournal([
      started('rehearse'),
      baseline,
      intent('db', 'x'),
      applied('db'),
      rec({ type: 'rollback.started', reason: 'fail back', steps: ['db'] }),
      rolledBack('db'),
    ]);
    expect(planUndo(runbook, replay, 'rehearse').items.map((i) => i.stepId)).toEqual(['lb', 'cache', 'db']);
  });

  it('a fail-back that completed leaves nothing to undo', () => {
    const replay = replayJournal([
      started('rehearse'),
      baseline,
      intent('db', 'x'),
      applied('db'),
      rec({ type: 'rollback.started', reason: 'fail back', steps: ['db'] }),
      rolledBack('db'),
      rec({ type: 'rollback.finished', ok: true }),
    ]);
    expect(planUndo(runbook, replay, 'rehearse').items).toEqual([]);
  });

  it('a drill (no fault, no baseline record): the steps it changed, to what each first observed; a skipped one is left alone', () => {
    const replay = replayJournal([
      started('drill'),
      skipped('cache', 'sh'),
      intent('db', 'db0'),
      applied('db'),
      rec({ type: 'rollback.started', reason: 'fail back', steps: ['db'] }),
      rolledBack('db'),
      intent('lb', 'lb0'),
    ]);
    expect(planUndo(runbook, replay, 'drill')).toEqual({
      to: 'baseline',
      items: [
        { stepId: 'lb', before: 'lb0' },
        { stepId: 'db', before: 'db0' },
      ],
      unknown: [],
    });
  });
});

describe('rollbackSteps: an undo that finds the step as it was says so', () => {
  it('"already as before: nothing undone" (changed: false), never the command it would have run; the changed one is rolled back', async () => {
    const world = createWorld();
    world.values.set('a', '0');
    world.values.set('b', '1');
    const kind = memKind(world);
    const events: EngineEvent[] = [];
    const emit = async (e: EventInput) => void events.push({ ...e, runId: 'r', at: '' } as EngineEvent);
    const outcomes = new Map<string, UndoOutcome>();
    const makeContext = createContextFactory({
      runId: 'r',
      baseDir: '/tmp',
      clock: realClock,
      log: nullLogger,
      emit,
      approve: async () => false,
    });
    const item = (id: string) => ({
      stepId: id,
      kind,
      params: { key: id, to: '1' },
      before: { value: '0' },
      timeoutMs: 2000,
      verifyIntervalMs: 5,
    });
    expect(
      await rollbackSteps([item('b'), item('a')], {
        reason: 'test',
        clock: realClock,
        emit,
        abort: new AbortController().signal,
        makeContext,
        outcomes,
      }),
    ).toBe(true);
    const back = events.filter((e) => e.type === 'step.rolled-back');
    expect(back).toMatchObject([
      { stepId: 'b', changed: true, describe: 'b: 1 → 0' },
      { stepId: 'a', changed: false, describe: ALREADY_AS_BEFORE },
    ]);
    expect(world.applies).toEqual(['b=0']);
    expect([...outcomes]).toEqual([
      ['b', { status: 'rolled-back' }],
      ['a', { status: 'already-as-before' }],
    ]);
  });
});

describe('an undo whose rollback sent nothing (the difference settled by itself) is "already as before"', () => {
  it('changed: false, counted already as before; the run summary says already-as-before, not rolled-back', async () => {
    const world = createWorld();
    world.values.set('lb', 'DOWN');
    const base = memKind(world);
    // like haproxy.servers whose health check is still DOWN after the thaw: nothing to send, it comes back UP by itself
    const kind = {
      ...base,
      rollback: async () => {
        setTimeout(() => world.values.set('lb', 'UP'), 20);
        return NOTHING_UNDONE;
      },
    };
    const events: EngineEvent[] = [];
    const emit = async (e: EventInput) => void events.push({ ...e, runId: 'r', at: '' } as EngineEvent);
    const outcomes = new Map<string, UndoOutcome>();
    const makeContext = createContextFactory({
      runId: 'r',
      baseDir: '/tmp',
      clock: realClock,
      log: nullLogger,
      emit,
      approve: async () => false,
    });
    const item = { stepId: 'lb', kind, params: { key: 'lb', to: 'x' }, before: { value: 'UP' }, timeoutMs: 5000, verifyIntervalMs: 5 };
    expect(
      await rollbackSteps([item], { reason: 'test', clock: realClock, emit, abort: new AbortController().signal, makeContext, outcomes }),
    ).toBe(true);
    expect(events.filter((e) => e.type === 'step.rolled-back')).toMatchObject([
      { stepId: 'lb', changed: false, describe: ALREADY_AS_BEFORE },
    ]);
    expect([...outcomes]).toEqual([['lb', { status: 'already-as-before' }]]);
    const rb = runbookOf([step('lb', [], { key: 'lb', to: 'x' }), step('db', [], { key: 'db', to: 'x' })]);
    const summary = buildSummary(rb, undefined, [], undefined, new Map([...outcomes, ['db', { status: 'rolled-back' }]]));
    expect([summary.steps['lb']?.status, summary.steps['db']?.status]).toEqual(['already-as-before', 'rolled-back']);
  });
});
