import { describe, expect, it } from 'vitest';
import { replayJournal } from '../../../src/state/journal-replay.js';
import type { JournalRecord } from '../../../src/model/records.js';

let seq = 0;
const rec = (r: object): JournalRecord =>
  ({ runId: 'r', at: '2026-01-01T00:00:00.000Z', schemaVersion: 2, seq: ++seq, fence: 1, ...r }) as JournalRecord;
const started = rec({
  type: 'run.started',
  mode: 'run',
  runbook: { name: 'x', file: '/x', hash: 'h' },
  params: { to: 'sh-a' },
  steps: [],
  host: 'h',
  user: 'u',
  pid: 1,
});

describe('replayJournal: what a journal says happened', () => {
  it('done steps become prior (completion order); an intent without outcome is in flight with its first before-state', () => {
    const out = replayJournal([
      started,
      rec({ type: 'step.intent', stepId: 'a', attempt: 1, before: { v: 0 }, desired: { v: 1 }, describe: '' }),
      rec({ type: 'step.intent', stepId: 'b', attempt: 1, before: { v: 5 }, desired: { v: 6 }, describe: '' }),
      rec({ type: 'step.applied', stepId: 'b', after: {}, describe: '', outputs: { o: 'b' }, notes: {} }),
      rec({ type: 'step.skipped', stepId: 's', reason: 'already done', state: {}, outputs: {} }),
      rec({ type: 'step.applied', stepId: 'a', after: {}, describe: '', outputs: { o: 'a' }, notes: {} }),
      rec({ type: 'step.intent', stepId: 'c', attempt: 1, before: { v: 9 }, desired: {}, describe: '' }),
      rec({ type: 'step.failed', stepId: 'c', error: { message: 'x', phase: 'apply', retryable: true }, notes: {} }),
      rec({ type: 'step.intent', stepId: 'c', attempt: 1, before: { v: 'half' }, desired: {}, describe: '' }),
    ]);
    expect(out.params).toEqual({ to: 'sh-a' });
    expect([...out.prior.keys()]).toEqual(['b', 'a', 's']);
    expect(out.prior.get('a')).toMatchObject({ status: 'applied', before: { v: 0 }, outputs: { o: 'a' } });
    expect(out.prior.get('s')).toMatchObject({ status: 'skipped' });
    expect([...out.intents]).toEqual([['c', { v: 9 }]]);
    expect(out.toUndo).toEqual([
      { stepId: 'b', before: { v: 5 }, inFlight: false },
      { stepId: 'a', before: { v: 0 }, inFlight: false },
      { stepId: 'c', before: { v: 9 }, inFlight: true },
    ]);
    expect(out.lastSeq).toBe(seq);
  });

  it('a skip after an intent of its own, or a recovered record, counts as applied; rolled-back steps are not undone twice', () => {
    const out = replayJournal([
      started,
      rec({ type: 'step.intent', stepId: 'a', attempt: 1, before: 'A0', desired: 'A1', describe: '' }),
      rec({ type: 'step.skipped', stepId: 'a', reason: 'already done', state: 'A1', outputs: {} }),
      rec({ type: 'step.intent', stepId: 'b', attempt: 1, before: 'B0', desired: 'B1', describe: '' }),
      rec({ type: 'step.recovered', stepId: 'b', before: 'B0', outputs: {}, reason: '' }),
      rec({ type: 'rollback.started', reason: 'drill', steps: ['b', 'a'] }),
      rec({ type: 'step.rolled-back', stepId: 'b', describe: '', durationMs: 1 }),
    ]);
    expect(out.prior.get('a')?.status).toBe('applied');
    expect(out.prior.get('b')?.status).toBe('applied');
    expect(out.rollbackStarted).toBe(true);
    expect(out.toUndo.map((u) => u.stepId)).toEqual(['a']);
  });

  it("a record with an older fencing token after a newer one (a fenced-out controller's late write) does not count", () => {
    const out = replayJournal([
      started,
      rec({ type: 'step.intent', stepId: 'a', attempt: 1, before: 'A0', desired: 'A1', describe: '' }),
      rec({ type: 'lock.acquired', scope: 's', token: 2, expiresAt: '', tookOver: undefined, fence: 2 }),
      rec({ type: 'step.recovered', stepId: 'a', before: 'A0', outputs: {}, reason: '', fence: 2 }),
      rec({ type: 'step.intent', stepId: 'b', attempt: 1, before: 'B0', desired: 'B1', describe: '', fence: 1 }),
      rec({ type: 'step.applied', stepId: 'b', after: 'B1', describe: '', outputs: {}, notes: {}, fence: 1 }),
    ]);
    expect([...out.prior.keys()]).toEqual(['a']);
    expect(out.intents.size).toBe(0);
    expect(out.lastSeq).toBe(seq);
  });
});
