import { describe, expect, it } from 'vitest';
import { createContextFactory } from '../../../src/engine/context.js';
import type { EngineEvent, EventInput } from '../../../src/model/events.js';
import { executeSteps } from '../../../src/engine/executor.js';
import { rollbackSteps } from '../../../src/engine/rollback.js';
import { createKindRegistry } from '../../../src/kinds/registry.js';
import { stepError } from '../../../src/model/kind.js';
import type { Runbook } from '../../../src/runbook/types.js';
import { realClock, type Clock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/logger.js';
import { ManualClock, turnsUntil } from '../../helpers/manual-clock.js';
import { createWorld, memKind, runbookOf, step, type MemWorld } from '../../helpers/mem-kind.js';

interface SetupOptions {
  readonly stop?: AbortController;
  readonly abort?: AbortController;
  readonly clock?: Clock;
  /** Sees every event as it is emitted (a test acts on the one that proves a moment was reached). */
  readonly onEvent?: (e: EventInput) => void;
  /** The kind the steps run (default: memKind over the world). */
  readonly kind?: ReturnType<typeof memKind>;
  /** Ready steps in random order (default true: a missing `needs` edge fails instead of passing by luck). */
  readonly shuffle?: boolean;
}

function setup(world: MemWorld, runbook: Runbook, o: SetupOptions = {}) {
  const { stop = new AbortController(), abort = new AbortController(), clock = realClock } = o;
  const events: EventInput[] = [];
  const emit = async (e: EventInput) => {
    events.push(e);
    o.onEvent?.(e);
  };
  const makeContext = createContextFactory({ runId: 'r', baseDir: '/tmp', clock, log: nullLogger, emit, approve: async () => false });
  const registry = createKindRegistry([o.kind ?? memKind(world)]);
  const run = () =>
    executeSteps({
      runbook,
      registry,
      emit,
      clock,
      stop: stop.signal,
      abort: abort.signal,
      makeContext,
      shuffle: o.shuffle ?? true,
      resolveParams: (s) => s.with,
    });
  return { events, run, registry, makeContext, emit };
}

describe('executeSteps', () => {
  it('runs every step after its needs and records completion order', async () => {
    const world = createWorld();
    const rb = runbookOf([
      step('a', [], { key: 'a', to: '1' }),
      step('b', ['a'], { key: 'b', to: '1' }),
      step('c', ['a'], { key: 'c', to: '1' }),
      step('d', ['b', 'c'], { key: 'd', to: '1' }),
    ]);
    const { run } = setup(world, rb);
    const out = await run();
    expect(out.status).toBe('succeeded');
    const order = world.applies.map((x) => x.split('=')[0]);
    expect(order[0]).toBe('a');
    expect(order[3]).toBe('d');
    expect(out.appliedOrder).toEqual(order);
  });

  it('without shuffle, ready steps start in runbook order (one at a time: a; then b, ready once a is done, before c)', async () => {
    const world = createWorld();
    const rb = runbookOf(
      [step('a', [], { key: 'a', to: '1' }), step('b', ['a'], { key: 'b', to: '1' }), step('c', [], { key: 'c', to: '1' })],
      { concurrency: 1 },
    );
    const { run, events } = setup(world, rb, { shuffle: false });
    const out = await run();
    expect(out.status).toBe('succeeded');
    expect(world.applies.map((x) => x.split('=')[0])).toEqual(['a', 'b', 'c']);
    expect(events.filter((e) => e.type === 'step.queued').map((e) => (e as { stepId: string }).stepId)).toEqual(['a', 'c', 'b']);
  });

  it('walks a long chain and a wide layer: every step runs once, after its needs', async () => {
    const world = createWorld();
    const chain = Array.from({ length: 3000 }, (_, i) => step(`c${i}`, i === 0 ? [] : [`c${i - 1}`], { key: `c${i}`, to: 'x' }));
    const wide = Array.from({ length: 300 }, (_, i) => step(`w${i}`, ['c2999'], { key: `w${i}`, to: 'x' }));
    const out = await setup(world, runbookOf([...wide, ...chain], { concurrency: 8 })).run();
    expect(out.status).toBe('succeeded');
    const order = world.applies.map((x) => x.split('=')[0] as string);
    expect(order).toHaveLength(3300);
    expect(order.slice(0, 3000)).toEqual(chain.map((s) => s.id));
  });

  it('a second run of the same steps skips every one as already done and applies nothing', async () => {
    const world = createWorld();
    const rb = runbookOf([step('a', [], { key: 'a', to: '1' }), step('b', ['a'], { key: 'b', to: '2' })]);
    await setup(world, rb).run();
    const applied = world.applies.length;
    const { run, events } = setup(world, rb);
    const out = await run();
    expect(world.applies.length).toBe(applied);
    expect([...out.steps.values()].map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(events.filter((e) => e.type === 'step.intent')).toHaveLength(0);
  });

  it('never runs more steps at once than the concurrency limit', async () => {
    const world = createWorld();
    const steps = Array.from({ length: 8 }, (_, i) => step(`s${i}`, [], { key: `k${i}`, to: 'x' }));
    for (let i = 0; i < 8; i++) world.delays.set(`k${i}`, 20);
    const clock = new ManualClock();
    const running = setup(world, runbookOf(steps, { concurrency: 3 }), { clock }).run();
    // three applies are asleep on the clock, and no fourth starts however long the test waits
    await turnsUntil(() => world.running === 3, 'three applies to run');
    await clock.advance(19);
    expect(world.running).toBe(3);
    let finished = false;
    void running.finally(() => (finished = true));
    while (!finished) await clock.advance(20);
    const out = await running;
    expect(out.status).toBe('succeeded');
    expect(world.maxRunning).toBe(3);
  });

  it('retries a retryable failure with backoff, then succeeds', async () => {
    const world = createWorld();
    world.failApplies.set('a', 2);
    const rb = runbookOf([
      step('a', [], { key: 'a', to: '1' }, { retry: { retries: 2, backoffMs: 5, backoffFactor: 2, maxBackoffMs: 50 } }),
    ]);
    const { run, events } = setup(world, rb);
    const out = await run();
    expect(out.steps.get('a')?.status).toBe('applied');
    expect(out.steps.get('a')?.timing.attempts).toBe(3);
    expect(events.filter((e) => e.type === 'step.retrying').map((e) => (e as { delayMs: number }).delayMs)).toEqual([5, 10]);
  });

  it('does not retry a non-retryable failure and starts no dependent step', async () => {
    const world = createWorld();
    world.failApplies.set('a', 1);
    const rb = runbookOf([
      step('a', [], { key: 'a', to: '1', retryable: false }, { retry: { retries: 3, backoffMs: 1, backoffFactor: 1, maxBackoffMs: 1 } }),
      step('b', ['a'], { key: 'b', to: '1' }),
    ]);
    const out = await setup(world, rb).run();
    expect(out.status).toBe('failed');
    expect(out.steps.get('a')?.timing.attempts).toBe(1);
    expect(out.steps.get('a')?.error?.message).toContain('scripted failure');
    expect(out.steps.get('b')?.status).toBe('cancelled');
    expect(world.values.has('b')).toBe(false);
  });

  it('times out a step waiting inside apply with the last sample\'s detail (an answer), not "no answer"', async () => {
    const world = createWorld();
    const kind = memKind(world);
    const waiting = {
      ...kind,
      // as wait.until / a rules catch-up: each sample answered, none held, until the step's deadline
      apply: async (_p: unknown, _c: unknown, ctx: { miss?(d: string): void; signal: AbortSignal }) => {
        ctx.miss?.('error: bind message supplies 1 parameters, but prepared statement requires 2');
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
    };
    const rb = runbookOf([step('a', [], { key: 'a', to: '1' }, { timeoutMs: 100 })]);
    const out = await setup(world, rb, { kind: waiting as typeof kind, shuffle: false }).run();
    const rec = out.steps.get('a');
    expect(rec?.error?.phase).toBe('apply');
    expect(rec?.error?.timedOut).toBe(true);
    expect(rec?.error?.message).toBe(
      'apply timed out after 100ms: error: bind message supplies 1 parameters, but prepared statement requires 2',
    );
  });

  it('times out a step whose verify never holds, naming what it saw', async () => {
    const world = createWorld();
    const kind = memKind(world);
    const stuck = { ...kind, holds: () => ({ ok: false as const, detail: 'still old' }) };
    const rb = runbookOf([step('a', [], { key: 'a', to: '1' }, { timeoutMs: 100 })]);
    const out = await setup(world, rb, { kind: stuck, shuffle: false }).run();
    const rec = out.steps.get('a');
    expect(rec?.status).toBe('failed');
    expect(rec?.error?.phase).toBe('verify');
    expect(rec?.error?.timedOut).toBe(true);
    expect(rec?.error?.message).toMatch(/verify timed out after 100ms: still old/);
  });

  it('stop: starts no new step after the first interrupt, lets running ones finish', async () => {
    const world = createWorld();
    const stop = new AbortController();
    const rb = runbookOf([step('a', [], { key: 'a', to: '1' }), step('b', ['a'], { key: 'b', to: '1' })]);
    // the interrupt arrives while a runs (its start is the event that proves it is running)
    const { run } = setup(world, rb, { stop, onEvent: (e) => e.type === 'step.started' && e.stepId === 'a' && stop.abort('SIGINT') });
    const out = await run();
    expect(out.status).toBe('interrupted');
    expect(out.steps.get('a')?.status).toBe('applied');
    expect(out.steps.get('b')?.status).toBe('cancelled');
    expect(world.values.get('a')).toBe('1');
  });

  it('rollback restores every applied step to its observed before-state, newest first', async () => {
    const world = createWorld();
    world.values.set('a', 'old-a');
    const rb = runbookOf([step('a', [], { key: 'a', to: 'new' }), step('b', ['a'], { key: 'b', to: 'new' })]);
    const { run, registry, makeContext, emit, events } = setup(world, rb);
    const out = await run();
    const items = [...out.appliedOrder].reverse().map((id) => {
      const rec = out.steps.get(id);
      return { stepId: id, kind: registry.get('mem')!, params: rec?.params, before: rec?.before, timeoutMs: 1000, verifyIntervalMs: 5 };
    });
    const ok = await rollbackSteps(items, { reason: 'test', clock: realClock, emit, abort: new AbortController().signal, makeContext });
    expect(ok).toBe(true);
    expect(world.values.get('a')).toBe('old-a');
    expect(world.values.has('b')).toBe(false);
    const rolled = (events as EngineEvent[]).filter((e) => e.type === 'step.rolled-back').map((e) => (e as { stepId: string }).stepId);
    expect(rolled).toEqual(['b', 'a']);
  });

  /** A mem kind whose apply changes the world, then fails (the first `times` times). */
  const halfApplying = (world: MemWorld, times: number, retryable: boolean) => {
    const kind = memKind(world);
    let left = times;
    return {
      ...kind,
      apply: async (
        p: { key: string; to: string },
        change: { current: unknown; desired: { value: string | undefined } },
        ctx: Parameters<typeof kind.apply>[2],
      ) => {
        if (left-- <= 0) return kind.apply(p, change, ctx);
        world.values.set(p.key, String(change.desired.value));
        throw stepError(`mem ${p.key}: changed, then failed`, { retryable });
      },
    };
  };
  const execute = (world: MemWorld, kind: ReturnType<typeof memKind>, rb: Runbook) => {
    const { run, events } = setup(world, rb, { kind, shuffle: false });
    return { out: run(), events };
  };

  it('a step that failed after its intent was journaled is in undoOrder (it may have half-applied), after the applied ones', async () => {
    const world = createWorld();
    world.values.set('b', 'old-b');
    const rb = runbookOf([
      step('a', [], { key: 'a', to: 'new' }),
      step('b', ['a'], { key: 'b', to: 'new' }),
      step('c', ['b'], { key: 'c', to: 'new' }),
    ]);
    const kind = memKind(world);
    const halfOnB = halfApplying(world, 1, false);
    const failsOnB = {
      ...kind,
      apply: (p: { key: string; to: string }, ch: Parameters<typeof kind.apply>[1], ctx: Parameters<typeof kind.apply>[2]) =>
        p.key === 'b' ? halfOnB.apply(p, ch, ctx) : kind.apply(p, ch, ctx),
    };
    const failed = await execute(world, failsOnB as ReturnType<typeof memKind>, rb).out;
    expect(failed.status).toBe('failed');
    expect(failed.appliedOrder).toEqual(['a']);
    expect(failed.undoOrder).toEqual(['a', 'b']);
    expect(failed.steps.get('b')).toMatchObject({ status: 'failed', intended: true, before: { value: 'old-b' } });
    expect(failed.steps.get('c')?.status).toBe('cancelled');
  });

  it('a step that fails before any intent (observe failed) is not in undoOrder', async () => {
    const world = createWorld();
    const kind = memKind(world);
    const blind = {
      ...kind,
      observe: async () => {
        throw stepError('cannot read', { retryable: false });
      },
    };
    const out = await execute(world, blind as unknown as ReturnType<typeof memKind>, runbookOf([step('a', [], { key: 'a', to: '1' })])).out;
    expect(out.steps.get('a')).toMatchObject({ status: 'failed', intended: false });
    expect(out.undoOrder).toEqual([]);
  });

  it('a retry that finds the change of its failed first attempt in place counts the step as applied, not skipped', async () => {
    const world = createWorld();
    const rb = runbookOf([
      step('a', [], { key: 'a', to: 'new' }, { retry: { retries: 1, backoffMs: 1, backoffFactor: 1, maxBackoffMs: 1 } }),
    ]);
    const { out, events } = execute(world, halfApplying(world, 1, true) as ReturnType<typeof memKind>, rb);
    const done = await out;
    expect(done.steps.get('a')).toMatchObject({ status: 'applied', before: { value: undefined } });
    expect(done.appliedOrder).toEqual(['a']);
    expect(events.map((e) => e.type).filter((t) => t === 'step.applied' || t === 'step.skipped')).toEqual(['step.applied']);
  });
});
