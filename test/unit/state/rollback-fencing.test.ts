import { describe, expect, it } from 'vitest';
import { createContextFactory } from '../../../src/engine/context.js';
import type { EventInput } from '../../../src/model/events.js';
import { rollbackSteps, type RollbackItem } from '../../../src/engine/rollback.js';
import { realClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/logger.js';
import { createWorld, memKind } from '../../helpers/mem-kind.js';

/** Two applied steps (a then b) to undo in reverse order, over a world where both were changed. */
function setUp() {
  const world = createWorld();
  world.values.set('a', '1');
  world.values.set('b', '1');
  const kind = memKind(world);
  const item = (id: string): RollbackItem => ({
    stepId: id,
    kind,
    params: { key: id, to: '1' },
    before: { value: '0' },
    timeoutMs: 2000,
    verifyIntervalMs: 5,
  });
  const log: string[] = [];
  const options = (emit: (e: EventInput) => Promise<void>, halt?: AbortSignal) => ({
    reason: 'test',
    clock: realClock,
    emit,
    abort: new AbortController().signal,
    halt,
    makeContext: createContextFactory({ runId: 'r', baseDir: '/tmp', clock: realClock, log: nullLogger, emit, approve: async () => false }),
  });
  return { world, items: [item('b'), item('a')], log, options };
}

describe("rollbackSteps: every rollback action is preceded by a durable record, and stops with the run's lock", () => {
  it('a step.rollback-intent (with the state found and the before-state) is written before each rollback action', async () => {
    const { world, items, log, options } = setUp();
    const emit = async (e: EventInput) => {
      if (e.type === 'step.rollback-intent')
        log.push(`intent ${e.stepId} ${JSON.stringify(e.current)} → ${JSON.stringify(e.before)} (applies so far: ${world.applies.length})`);
    };
    expect(await rollbackSteps(items, options(emit))).toBe(true);
    expect(log).toEqual([
      'intent b {"value":"1"} → {"value":"0"} (applies so far: 0)',
      'intent a {"value":"1"} → {"value":"0"} (applies so far: 1)',
    ]);
    expect(world.applies).toEqual(['b=0', 'a=0']);
  });

  it('when that record cannot be written (fenced out), nothing more is rolled back and the failure propagates', async () => {
    const { world, items, options } = setUp();
    const fenced = Object.assign(new Error('fenced out: the lock is no longer held by this controller'), { fencedOut: true });
    let broken = false;
    const emit = async (e: EventInput) => {
      // as the run handle: progress records are lazy (written with the next durable one), so they never fail here
      if (e.type === 'step.rolling-back') return;
      if (broken) throw fenced;
      if (e.type === 'step.rolled-back') broken = true; // the lock is lost right after b is back
    };
    await expect(rollbackSteps(items, options(emit))).rejects.toBe(fenced);
    expect(world.applies).toEqual(['b=0']);
    expect(world.values.get('a')).toBe('1');
  });

  it('once the run has lost its lock (halt), no further rollback starts', async () => {
    const { world, items, options } = setUp();
    const halt = new AbortController();
    const emit = async (e: EventInput) => {
      if (e.type === 'step.rolled-back') halt.abort(new Error('lease lost'));
    };
    await expect(rollbackSteps(items, options(emit, halt.signal))).rejects.toThrow('lease lost');
    expect(world.applies).toEqual(['b=0']);
  });
});
