import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { JournalRecord, RunMeta } from '../../../src/model/records.js';

const at = '2026-11-21T10:00:00.000Z';
const meta: RunMeta = {
  schemaVersion: 1, runId: 'r1', mode: 'drill', runbook: { name: 'cut', file: '/x/cut.yaml', hash: 'abcdef0123456789' },
  status: 'failed', startedAt: at, endedAt: at, durationMs: 1500, host: 'h', user: 'u', pid: 1,
  summary: { steps: { db: { status: 'applied', durationMs: 1200 }, dns: { status: 'failed', durationMs: 300 } }, criticalPath: ['db', 'dns'], criticalPathMs: 1500, budgetExceeded: ['db'] },
  halves: { switch: 'failed', failBack: 'succeeded' },
};
let seq = 0;
const rec = (r: object): JournalRecord => ({ runId: 'r1', at, schemaVersion: 1, seq: ++seq, ...r }) as JournalRecord;
const records = [
  rec({ type: 'run.started', mode: 'drill', runbook: meta.runbook, params: {}, steps: [{ id: 'db', kind: 'db.primary', needs: [] }, { id: 'dns', kind: 'dns.record', needs: ['db'] }], host: 'h', user: 'u', pid: 1 }),
  rec({ type: 'step.applied', stepId: 'db', after: {}, describe: 'primary pg-hz → pg-sh', outputs: {}, notes: { lagBytes: 0 } }),
  rec({ type: 'step.timing', stepId: 'db', timing: { queuedAt: at, startedAt: at, endedAt: at, durationMs: 1200, attempts: 1, phases: { observe: 10, apply: 1000, verify: 190 }, status: 'applied' } }),
  rec({ type: 'budget.exceeded', stepId: 'db', durationMs: 1200, budgetMs: 1000, message: 'step "db" took 1.20s, over its budget of 1.00s' }),
  rec({ type: 'step.failed', stepId: 'dns', error: { phase: 'apply', message: 'REFUSED <&>', retryable: false }, notes: {} }),
  rec({ type: 'step.timing', stepId: 'dns', timing: { queuedAt: at, startedAt: at, endedAt: at, durationMs: 300, attempts: 1, phases: { observe: 5, apply: 295 }, status: 'failed' } }),
  rec({ type: 'step.rolled-back', stepId: 'db', describe: 'primary back to pg-hz', durationMs: 400 }),
];

describe('reports', () => {
  const report = buildReport(meta, records);
  it('builds per-step timing, phases, budget and rollback from the journal', () => {
    const db = report.steps.find((s) => s.id === 'db');
    expect(db).toMatchObject({ status: 'applied', durationMs: 1200, phases: { apply: 1000 }, notes: { lagBytes: 0 }, rollback: { status: 'rolled-back', durationMs: 400 } });
    expect(db?.overBudget?.budgetMs).toBe(1000);
    expect(report.steps.find((s) => s.id === 'dns')?.error?.message).toBe('REFUSED <&>');
  });
  it('JUnit has one testcase per step with its time and failures, XML-escaped', () => {
    const xml = renderJunit(report);
    expect(xml).toContain('<testcase classname="drctl.drill.cut.steps" name="db (db.primary)" time="1.200">');
    // a step over its budget is a finding (its output), not a failed testcase: only dns failed
    expect(xml).not.toContain('<failure message="step &quot;db&quot;');
    expect(xml).toMatch(/<system-out>[^<]*\nover budget: step &quot;db&quot; took 1.20s, over its budget of 1.00s<\/system-out>/);
    expect(xml).toContain('<failure message="apply failed: REFUSED &lt;&amp;&gt;"/>');
    expect(xml).toMatch(/tests="2" failures="1"/);
  });
  it('Markdown shows both halves of a drill and the step table', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('# drill of cut: failed');
    expect(md).toContain('- switch: failed; fail-back: succeeded');
    expect(md).toContain('| db | db.primary | applied | 1.20s | 10ms | 1.00s | 190ms | 1 |');
    expect(md).toContain('| db | rolled-back | 400ms | primary back to pg-hz |');
  });
});
