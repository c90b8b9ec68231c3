import { describe, expect, it } from 'vitest';
import { createContextFactory } from '../../../src/engine/context.js';
import type { EventInput } from '../../../src/model/events.js';
import { executeSteps } from '../../../src/engine/executor.js';
import { defineKind } from '../../../src/kinds/define-kind.js';
import { ABORT_GRACE_MS, HOLDS } from '../../../src/model/kind.js';
import { createKindRegistry } from '../../../src/kinds/registry.js';
import type { Logger } from '../../../src/util/logger.js';
import { nullLogger } from '../../../src/util/logger.js';
import { ManualClock, turnsUntil } from '../../helpers/manual-clock.js';
import { runbookOf, step } from '../../helpers/mem-kind.js';

/** A kind whose apply ignores its signal: each call waits until the test lets it finish. */
function stubbornKind() {
  const calls: { finish: () => void; done: boolean }[] = [];
  const kind = defineKind<Record<string, never>, { n: number }>({
    name: 'mem',
    description: 'test kind',
    paramsSchema: { type: 'object' },
    observe: async () => ({ n: calls.filter((c) => c.done).length }),
    decide: () => ({ action: 'change', desired: { n: 1 } }),
    apply: () =>
      new Promise<void>((resolve) => {
        const call = { done: false, finish: () => ((call.done = true), resolve()) };
        calls.push(call);
      }),
    holds: () => HOLDS,
    describe: () => 'stubborn',
  });
  return { kind, calls };
}

function start(kind: ReturnType<typeof stubbornKind>['kind'], clock: ManualClock, events: EventInput[], log: Logger = nullLogger) {
  const emit = async (e: EventInput): Promise<void> => void events.push(e);
  return executeSteps({
    runbook: runbookOf([
      step('a', [], { key: 'a', to: '1' }, { timeoutMs: 100, retry: { retries: 1, backoffMs: 10, backoffFactor: 1, maxBackoffMs: 10 } }),
    ]),
    registry: createKindRegistry([kind]),
    emit,
    clock,
    stop: new AbortController().signal,
    abort: new AbortController().signal,
    makeContext: createContextFactory({ runId: 'r', baseDir: '/tmp', clock, log, emit, approve: async () => false }),
    resolveParams: (s) => s.with,
  });
}

describe('after a step deadline, the engine waits for the kind to stop before it retries (no two calls overlap)', () => {
  it('the retry starts only once the timed-out apply has stopped', async () => {
    const clock = new ManualClock();
    const { kind, calls } = stubbornKind();
    const events: EventInput[] = [];
    const run = start(kind, clock, events);
    await turnsUntil(() => calls.length === 1, 'the first apply');
    await clock.advance(100); // the deadline fires
    await clock.advance(ABORT_GRACE_MS - 1); // the first apply has not stopped: no retry yet, however long it takes
    expect(calls).toHaveLength(1);
    calls[0]?.finish();
    await turnsUntil(() => events.some((e) => e.type === 'step.retrying'), 'the retry to be scheduled');
    await clock.advance(10);
    await turnsUntil(() => calls.length === 2, 'the retry');
    calls[1]?.finish();
    const out = await run;
    expect(out.steps.get('a')?.status).toBe('applied');
    expect(out.steps.get('a')?.timing.attempts).toBe(2);
  });

  it('a kind that does not stop within the grace is logged, and the engine goes on', async () => {
    const clock = new ManualClock();
    const { kind, calls } = stubbornKind();
    const warned: object[] = [];
    const log: Logger = { ...nullLogger, warn: (o) => void warned.push(o), child: () => log };
    const events: EventInput[] = [];
    const run = start(kind, clock, events, log);
    await turnsUntil(() => calls.length === 1, 'the first apply');
    await clock.advance(100 + ABORT_GRACE_MS);
    expect(warned).toEqual([{ stepId: 'a', graceMs: ABORT_GRACE_MS }]);
    await turnsUntil(() => events.some((e) => e.type === 'step.retrying'), 'the retry to be scheduled');
    await clock.advance(10);
    await turnsUntil(() => calls.length === 2, 'the retry');
    calls[1]?.finish();
    expect((await run).steps.get('a')?.status).toBe('applied');
  });
});
