import { describe, expect, it } from 'vitest';
import { createContextFactory } from '../../../src/engine/context.js';
import type { EventInput } from '../../../src/model/events.js';
import { realClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/logger.js';

describe("a step's progress", () => {
  it('the same message said again by a polling kind is emitted (and journaled) once, until it changes', async () => {
    const events: EventInput[] = [];
    const make = createContextFactory({
      runId: 'r',
      baseDir: '/tmp',
      clock: realClock,
      log: nullLogger,
      emit: async (e) => void events.push(e),
      approve: async () => false,
    });
    const ctx = make('cache-a', new AbortController().signal, {});
    for (const m of ['waiting for Sentinel', 'waiting for Sentinel', 'waiting for Sentinel', 'elected', 'waiting for Sentinel'])
      ctx.progress(m);
    await Promise.resolve();
    expect(events.map((e) => (e as { message?: string }).message)).toEqual(['waiting for Sentinel', 'elected', 'waiting for Sentinel']);
    // another step's context says its own first message
    make('cache-b', new AbortController().signal, {}).progress('waiting for Sentinel');
    await Promise.resolve();
    expect(events).toHaveLength(4);
  });
});
