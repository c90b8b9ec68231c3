import { describe, expect, it } from 'vitest';
import { createContextFactory } from '../../../src/engine/context.js';
import type { EventInput } from '../../../src/model/events.js';
import { executeSteps, type ExecuteOptions } from '../../../src/engine/executor.js';
import { createKindRegistry } from '../../../src/kinds/registry.js';
import { realClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/logger.js';
import { createWorld, memKind, runbookOf, step } from '../../helpers/mem-kind.js';

function options(
  world: ReturnType<typeof createWorld>,
  steps: ReturnType<typeof step>[],
  emit: (e: EventInput) => Promise<void>,
  extra: Partial<ExecuteOptions> = {},
): ExecuteOptions {
  const never = new AbortController().signal;
  return {
    runbook: runbookOf(steps, { concurrency: 1 }),
    registry: createKindRegistry([memKind(world)]),
    emit,
    clock: realClock,
    stop: never,
    abort: never,
    makeContext: createContextFactory({ runId: 'r', baseDir: '/tmp', clock: realClock, log: nullLogger, emit, approve: async () => false }),
    resolveParams: (s) => s.with,
    ...extra,
  };
}

const chain = () => [
  step('a', [], { key: 'a', to: '1' }),
  step('b', ['a'], { key: 'b', to: '1' }),
  step('c', ['b'], { key: 'c', to: '1' }),
];

describe('executeSteps when the journal fails, and on resume', () => {
  it('a failing journal write stops the run: no step starts (or applies) after it, and the failure is returned, not thrown', async () => {
    const world = createWorld();
    const events: EventInput[] = [];
    const down = new Error('store down');
    let isDown = false;
    const emit = async (e: EventInput) => {
      if (e.type === 'step.timing') isDown = true; // the store goes away right after a's outcome, and stays away
      if (isDown) throw down;
      events.push(e);
    };
    const out = await executeSteps(options(world, chain(), emit));
    expect(out.fatal).toBe(down);
    expect(out.status).toBe('failed');
    expect(world.applies).toEqual(['a=1']);
    expect(events.filter((e) => e.type === 'step.started').map((e) => ('stepId' in e ? e.stepId : ''))).toEqual(['a']);
  });

  it("an intent without outcome: found done it is not applied again but counts as applied with the intent's before-state", async () => {
    const world = createWorld();
    world.values.set('a', '1');
    world.values.set('b', '1'); // b's apply had landed before the crash
    const events: EventInput[] = [];
    const out = await executeSteps(
      options(world, chain(), async (e) => void events.push(e), {
        prior: new Map([['a', { status: 'applied', outputs: { value: '1' }, before: { value: undefined } }]]),
        intents: new Map([['b', { value: '0' }]]),
      }),
    );
    expect(out.status).toBe('succeeded');
    expect(world.applies).toEqual(['c=1']);
    expect(out.appliedOrder).toEqual(['a', 'b', 'c']);
    expect(out.steps.get('b')).toMatchObject({ status: 'applied', before: { value: '0' } });
    expect(events.filter((e) => e.type === 'step.recovered').map((e) => ('stepId' in e ? e.stepId : ''))).toEqual(['b']);
  });
});
