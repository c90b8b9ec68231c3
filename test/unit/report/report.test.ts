import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { renderHtml } from '../../../src/report/html.js';
import type { JournalRecord, RunMeta } from '../../../src/model/records.js';

const at = '2026-11-21T10:00:00.000Z';
const meta: RunMeta = {
  schemaVersion: 1,
  runId: 'r1',
  mode: 'drill',
  runbook: { name: 'cut', file: '/x/cut.yaml', hash: 'abcdef0123456789' },
  status: 'failed',
  startedAt: at,
  endedAt: at,
  durationMs: 1500,
  host: 'h',
  user: 'u',
  pid: 1,
  summary: {
    steps: { db: { status: 'applied', durationMs: 1200 }, dns: { status: 'failed', durationMs: 300 } },
    criticalPath: ['db', 'dns'],
    criticalPathMs: 1500,
    budgetExceeded: ['db'],
  },
  halves: { switch: 'failed', failBack: 'succeeded' },
};
let seq = 0;
const rec = (r: object): JournalRecord => ({ runId: 'r1', at, schemaVersion: 1, seq: ++seq, ...r }) as JournalRecord;
const records = [
  rec({
    type: 'run.started',
    mode: 'drill',
    runbook: meta.runbook,
    params: {},
    steps: [
      { id: 'db', kind: 'db.primary', needs: [] },
      { id: 'dns', kind: 'dns.record', needs: ['db'] },
    ],
    host: 'h',
    user: 'u',
    pid: 1,
  }),
  rec({ type: 'step.applied', stepId: 'db', after: {}, describe: 'primary pg-hz → pg-sh', outputs: {}, notes: { lagBytes: 0 } }),
  rec({
    type: 'step.timing',
    stepId: 'db',
    timing: {
      queuedAt: at,
      startedAt: at,
      endedAt: at,
      durationMs: 1200,
      attempts: 1,
      phases: { observe: 10, apply: 1000, verify: 190 },
      status: 'applied',
    },
  }),
  rec({
    type: 'budget.exceeded',
    stepId: 'db',
    durationMs: 1200,
    budgetMs: 1000,
    message: 'step "db" took 1.20s, over its budget of 1.00s',
  }),
  rec({ type: 'step.failed', stepId: 'dns', error: { phase: 'apply', message: 'REFUSED <&>', retryable: false }, notes: {} }),
  rec({
    type: 'step.timing',
    stepId: 'dns',
    timing: {
      queuedAt: at,
      startedAt: at,
      endedAt: at,
      durationMs: 300,
      attempts: 1,
      phases: { observe: 5, apply: 295 },
      status: 'failed',
    },
  }),
  rec({ type: 'step.rolled-back', stepId: 'db', describe: 'primary back to pg-hz', durationMs: 400 }),
];

describe('reports', () => {
  const report = buildReport(meta, records);
  it('builds per-step timing, phases, budget and rollback from the journal', () => {
    const db = report.steps.find((s) => s.id === 'db');
    expect(db).toMatchObject({
      status: 'applied',
      durationMs: 1200,
      phases: { apply: 1000 },
      notes: { lagBytes: 0 },
      rollback: { status: 'rolled-back', durationMs: 400 },
    });
    expect(db?.overBudget?.budgetMs).toBe(1000);
    expect(report.steps.find((s) => s.id === 'dns')?.error?.message).toBe('REFUSED <&>');
  });
  it('JUnit: an outcome testcase, one per step and undo; a failure carries its type, phase, attempts and error as text', () => {
    const xml = renderJunit(report);
    expect(xml).toContain('<testcase classname="drctl.drill.cut.steps" name="db (db.primary)" time="1.200">');
    expect(xml).toContain(
      '<failure type="apply" message="REFUSED &lt;&amp;&gt;">step: dns (dns.record)\nphase: apply\nattempts: 1\nerror: REFUSED &lt;&amp;&gt;</failure>',
    );
    // the drill failed on dns: the step over its budget was not counted against it (a finding in its output)
    expect(xml).toContain('over budget (a finding, not counted against the run): step &quot;db&quot; took 1.20s, over its budget of 1.00s');
    expect(xml).toMatch(
      /<testcase classname="drctl\.drill\.cut" name="drill outcome" time="1\.500">\n\s+<failure type="outcome" message="REFUSED &lt;&amp;&gt;">drill failed\n- apply dns: REFUSED/,
    );
    expect(xml).toContain('<testcase classname="drctl.drill.cut.fail-back" name="undo db (db.primary)" time="0.400">');
    expect(xml).toMatch(/<testsuite [^>]*tests="6" failures="2" errors="0"/);
  });
  it('Markdown shows both halves of a drill and the step table', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('# drill of cut: failed');
    expect(md).toContain('- switch: failed; fail-back: succeeded');
    expect(md).toContain('| db | db.primary | applied | 1.20s | 10ms | 1.00s | 190ms | 1 |');
    expect(md).toContain('| db | rolled-back | 400ms | primary back to pg-hz |');
  });
});

describe('reports say why a run failed', () => {
  const started = (steps: object[], budgetMs?: number) =>
    rec({
      type: 'run.started',
      mode: 'drill',
      runbook: meta.runbook,
      params: {},
      steps,
      ...(budgetMs === undefined ? {} : { budgetMs }),
      host: 'h',
      user: 'u',
      pid: 1,
    });
  const applied = (id: string, ms: number) => [
    rec({ type: 'step.started', stepId: id, attempt: 1 }),
    rec({ type: 'step.applied', stepId: id, after: {}, describe: `run ${id}`, outputs: {}, notes: {} }),
    rec({
      type: 'step.timing',
      stepId: id,
      timing: { queuedAt: at, startedAt: at, endedAt: at, durationMs: ms, attempts: 1, phases: { apply: ms }, status: 'applied' },
    }),
  ];
  const check = (ok: boolean) =>
    rec({
      type: ok ? 'check.passed' : 'check.failed',
      group: 'steadyState',
      name: 'served',
      detail: ok ? 'holds' : 'HTTP 502',
      durationMs: 3,
    });
  const overBudget = "the switch took 3.55s, over the runbook's budget of 1.00s";
  const budgetMeta: RunMeta = {
    ...meta,
    status: 'failed',
    halves: { switch: 'failed', failBack: 'succeeded' },
    summary: { steps: {}, criticalPath: ['a'], criticalPathMs: 3550, budgetExceeded: ['(total)'], error: overBudget },
  };

  it('a drill failed only by the runbook budget: a failing budget testcase, the cause at the top of every format, budgets in every mode', () => {
    const r = buildReport(budgetMeta, [
      started([{ id: 'a', kind: 'exec', needs: [], budgetMs: 2000 }], 1000),
      check(true),
      ...applied('a', 3550),
      rec({ type: 'budget.exceeded', stepId: undefined, durationMs: 3550, budgetMs: 1000, message: overBudget }),
      check(true),
      rec({ type: 'rollback.started', reason: 'drill: fail back', steps: ['a'] }),
      rec({ type: 'step.rolled-back', stepId: 'a', describe: 'undo a', durationMs: 10 }),
      check(true),
    ]);
    expect(r.failures).toEqual([{ type: 'budget', subject: 'switch', message: overBudget }]);
    expect(r.budgets).toEqual({ switchMs: 1000, steps: { a: 2000 }, switchTookMs: 3550 });
    const xml = renderJunit(r);
    expect(xml).toMatch(
      /<testcase classname="drctl\.drill\.cut\.budgets" name="switch" time="3\.550">\n\s+<failure type="budget" message="the switch took 3\.55s, over the runbook&#39;s budget|<failure type="budget" message="the switch took 3\.55s/,
    );
    expect(xml).toMatch(/<testsuite [^>]*failures="2"/); // the budget and the outcome
    // the three steady-state checks of an older journal (no phase recorded) get their phase from their place
    expect(r.checks.map((c) => c.phase)).toEqual(['before the drill', 'after the switch', 'after fail-back']);
    const names = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('drctl.drill.cut.steadyState/served (after the switch)');
    expect(renderMarkdown(r)).toContain('## Why it failed\n\n- **budget** switch: the switch took 3.55s');
    expect(renderMarkdown(r)).toMatch(/\| a \| exec \| applied \| 3\.55s \|[^\n]*\| 2\.00s \|/);
    const html = renderHtml(r, []);
    expect(html).toMatch(/<section id="failure-cause"[^>]*><h2>Why it failed<\/h2><ul><li class="cause" data-cause="budget">/);
    expect(html).toContain('id="mark-budget"');
    expect(html).toContain('data-budget-step="a"');
    expect(html).toContain('<td data-label="budget" class="n">2.00s</td>');
  });

  it('a failed undo is a failing testcase of its own; its forward step still passed', () => {
    const r = buildReport(
      {
        ...meta,
        halves: { switch: 'succeeded', failBack: 'failed' },
        summary: { ...budgetMeta.summary!, error: 'fail-back incomplete: see the journal' },
      },
      [
        started([{ id: 'a', kind: 'exec', needs: [] }]),
        ...applied('a', 10),
        rec({
          type: 'step.rollback-failed',
          stepId: 'a',
          error: { phase: 'rollback', message: 'rollback: sh exited with code 3: permission denied', retryable: false },
          durationMs: 20,
        }),
      ],
    );
    const xml = renderJunit(r);
    expect(xml).toMatch(/<testcase classname="drctl\.drill\.cut\.steps" name="a \(exec\)" time="0\.010">\n\s+<system-out>/);
    expect(xml).toMatch(
      /<testcase classname="drctl\.drill\.cut\.fail-back" name="undo a \(exec\)" time="0\.020">\n\s+<failure type="rollback" message="rollback: sh exited with code 3: permission denied">/,
    );
    expect(xml).toMatch(/name="fail-back complete">\n\s+<failure type="fail-back"/);
    expect(r.failures.map((c) => c.type)).toEqual(['rollback']);
  });

  it('Markdown renders what the estate said as text: HTML and emphasis are escaped', () => {
    const r = buildReport(meta, [
      started([{ id: 'dns', kind: 'http', needs: [] }]),
      rec({
        type: 'step.failed',
        stepId: 'dns',
        error: { phase: 'apply', message: 'HTTP 502: <h1>502 Bad Gateway</h1> *rule*\n# not a heading', retryable: false },
        notes: {},
      }),
    ]);
    const text = renderMarkdown(r);
    expect(text).toContain('HTTP 502: &lt;h1&gt;502 Bad Gateway&lt;/h1&gt; \\*rule\\*<br>\\# not a heading');
    expect(text).not.toContain('<h1>');
  });
});
