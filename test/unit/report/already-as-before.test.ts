import { describe, expect, it } from 'vitest';
import { ALREADY_AS_BEFORE } from '../../../src/model/events.js';
import type { JournalRecord, RunMeta } from '../../../src/model/records.js';
import { buildReport } from '../../../src/report/build-report.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderMarkdown } from '../../../src/report/markdown.js';

// An undo that found the step as it was did nothing: the reports say so, never the command it would have run.
const at = '2026-11-21T10:00:00.000Z';
const meta: RunMeta = {
  schemaVersion: 2,
  runId: 'r1',
  mode: 'drill',
  runbook: { name: 'cut', file: '/x/cut.yaml', hash: 'abcdef0123456789' },
  status: 'succeeded',
  startedAt: at,
  endedAt: at,
  durationMs: 1500,
  host: 'h',
  user: 'u',
  pid: 1,
  summary: {
    steps: { fw: { status: 'rolled-back', durationMs: 10 }, db: { status: 'rolled-back', durationMs: 20 } },
    criticalPath: [],
    criticalPathMs: 0,
    budgetExceeded: [],
  },
  halves: { switch: 'succeeded', failBack: 'succeeded' },
};
let seq = 0;
const rec = (r: object): JournalRecord => ({ runId: 'r1', at, schemaVersion: 2, seq: ++seq, ...r }) as JournalRecord;
const timing = (stepId: string) =>
  rec({
    type: 'step.timing',
    stepId,
    timing: { queuedAt: at, startedAt: at, endedAt: at, durationMs: 10, attempts: 1, phases: { apply: 10 }, status: 'applied' },
  });
const records = [
  rec({
    type: 'run.started',
    mode: 'drill',
    runbook: meta.runbook,
    params: {},
    steps: [
      { id: 'fw', kind: 'exec', needs: [] },
      { id: 'db', kind: 'db.primary', needs: [] },
    ],
    host: 'h',
    user: 'u',
    pid: 1,
  }),
  rec({ type: 'step.applied', stepId: 'fw', after: {}, describe: 'run iptables -A …', outputs: {}, notes: {} }),
  timing('fw'),
  rec({ type: 'step.applied', stepId: 'db', after: {}, describe: 'primary pg-hz → pg-sh', outputs: {}, notes: {} }),
  timing('db'),
  rec({ type: 'rollback.started', reason: 'drill: fail back', steps: ['db', 'fw'] }),
  rec({ type: 'step.rolled-back', stepId: 'db', describe: 'primary pg-sh → pg-hz', durationMs: 400, changed: true }),
  rec({ type: 'step.rolled-back', stepId: 'fw', describe: ALREADY_AS_BEFORE, durationMs: 15, changed: false }),
  rec({ type: 'rollback.finished', ok: true }),
];

describe('reports of an undo that had nothing to undo', () => {
  const report = buildReport(meta, records);
  it('json: rollback status already-as-before with the words; a real undo stays rolled-back', () => {
    expect(report.steps.find((s) => s.id === 'fw')?.rollback).toMatchObject({
      status: 'already-as-before',
      message: 'already as before: nothing undone',
    });
    expect(report.steps.find((s) => s.id === 'db')?.rollback).toMatchObject({ status: 'rolled-back', message: 'primary pg-sh → pg-hz' });
  });
  it('markdown, html and junit say already as before and never claim it failed', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/\| fw \| already-as-before \| 15ms \| already as before: nothing undone \|/);
    expect(md).not.toContain('undo: run');
    expect(renderHtml(report, [])).toContain('already-as-before');
    expect(renderJunit(report)).toMatch(/failures="0"/);
  });
});
