import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { EngineEvent } from '../../../../src/model/events.js';
import { createListrRenderer } from '../../../../src/cli/output/progress-listr.js';

// The live view settles (its done() resolves) once every step has, whether the list shows a task per
// step or, for long runbooks, one progress task; it never waits for events that do not come.
const at = '2026-01-01T00:00:00.000Z';
const started = (ids: string[]): EngineEvent => ({
  type: 'run.started',
  runId: 'r',
  at,
  mode: 'run',
  runbook: { name: 'x', file: 'x.yaml', hash: 'h' },
  params: {},
  steps: ids.map((id) => ({ id, kind: 'exec', needs: [] })),
  host: 'h',
  user: 'u',
  pid: 1,
});
const timing = (stepId: string, status: 'applied' | 'failed'): EngineEvent => ({
  type: 'step.timing',
  runId: 'r',
  at,
  stepId,
  timing: { queuedAt: at, startedAt: at, endedAt: at, durationMs: 1, attempts: 1, phases: {}, status },
});

// listr2 draws on stdout / stderr: keep the test output clean
const spies: { mockRestore(): void }[] = [];
beforeEach(() => {
  spies.push(
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
  );
});
afterEach(() => {
  for (const s of spies.splice(0)) s.mockRestore();
});

describe('createListrRenderer', () => {
  test.each([3, 250])('%i steps: done() resolves once every step settled', async (n) => {
    const ids = Array.from({ length: n }, (_, i) => `s${i}`);
    const view = createListrRenderer();
    view.listener(started(ids));
    for (const id of ids) {
      view.listener({ type: 'step.started', runId: 'r', at, stepId: id, attempt: 1 });
      view.listener({ type: 'step.applied', runId: 'r', at, stepId: id, after: null, describe: 'x', outputs: {}, notes: {} });
      view.listener(timing(id, 'applied'));
    }
    await expect(view.done()).resolves.toBeUndefined();
  });

  test('a long list with a failed step and steps never started still settles at run.finished', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `s${i}`);
    const view = createListrRenderer();
    view.listener(started(ids));
    view.listener({
      type: 'step.failed',
      runId: 'r',
      at,
      stepId: 's0',
      error: { message: 'no', phase: 'apply', retryable: false },
      notes: {},
    });
    view.listener(timing('s0', 'failed'));
    view.listener({
      type: 'run.finished',
      runId: 'r',
      at,
      status: 'failed',
      durationMs: 1,
      summary: { steps: {}, criticalPath: [], criticalPathMs: 0, budgetExceeded: [] },
    });
    await expect(view.done()).resolves.toBeUndefined();
  });

  test('a step that did not wait on members in a lost data center names them on its line', async () => {
    const written: string[] = [];
    for (const s of spies) s.mockRestore();
    spies.splice(0);
    const keep = (chunk: unknown): boolean => (written.push(String(chunk)), true);
    spies.push(vi.spyOn(process.stdout, 'write').mockImplementation(keep), vi.spyOn(process.stderr, 'write').mockImplementation(keep));
    const view = createListrRenderer();
    view.listener(started(['db-election']));
    view.listener({ type: 'step.started', runId: 'r', at, stepId: 'db-election', attempt: 1 });
    view.listener({
      type: 'step.applied',
      runId: 'r',
      at,
      stepId: 'db-election',
      after: null,
      describe: 'promoted pg-sh-a',
      outputs: {},
      notes: { membersNotWaitedFor: [{ name: 'pg-hz-a', dc: 'hz-a' }] },
    });
    view.listener(timing('db-election', 'applied'));
    await view.done();
    expect(written.join('')).toContain('db-election (exec): promoted pg-sh-a (not waited for, in a lost data center: pg-hz-a)');
  });
});
