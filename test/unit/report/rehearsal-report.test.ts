import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { detectRegression, rtoTrend } from '../../../src/report/regression.js';
import { median } from '../../../src/util/stats.js';
import { esc } from '../../../src/report/html-escape.js';
import type { JournalRecord } from '../../../src/model/records.js';
import { rehearsalHistory, rehearsalMeta, rehearsalReport } from '../../helpers/rehearsal-fixture.js';

describe('rehearsal report', () => {
  const report = rehearsalReport();
  it('builds the rehearsal section from fault/detection/recovery/restore events', () => {
    expect(report.rehearsal).toMatchObject({
      t0: '2026-11-21T02:10:01.000Z',
      detectedAt: '2026-11-21T02:10:04.100Z',
      detectedBy: 'redis-master-reachable',
      recoveredAt: '2026-11-21T02:10:06.800Z',
      restoredAt: '2026-11-21T02:10:07.200Z',
      restoreOk: true,
      outcome: 'FAILED',
      budgetMs: 6000,
      rto: { totalMs: 5800, detectionMs: 3100, switchMs: 2200, convergenceMs: 500 },
    });
    const redis = report.steps.find((s) => s.id === 'redis-election');
    expect(redis?.retries).toEqual([
      { at: '2026-11-21T02:10:04.450Z', attempt: 2, delayMs: 200, message: 'NOGOODSLAVE: no suitable replica' },
    ]);
    expect(redis?.segments?.map((s) => `${s.phase}${s.attempt}${s.ok ? '' : '!'}`)).toEqual([
      'observe1',
      'apply1!',
      'observe2',
      'apply2',
      'verify2',
      'rollback1',
    ]);
    expect(redis?.segments?.[0]?.startAt).toBe('2026-11-21T02:10:04.100Z');
  });
  it('leaves non-rehearsal runs without the section', () => {
    const drill = buildReport({ ...rehearsalMeta(), mode: 'drill' }, []);
    expect(drill).not.toHaveProperty('rehearsal');
    expect(renderMarkdown(drill)).not.toContain('## Rehearsal');
    expect(buildReport(rehearsalMeta(), []).rehearsal?.outcome).toBeUndefined();
  });
  it('Markdown and JUnit carry the outcome and the RTO breakdown', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('- outcome: **FAILED**, RTO 5.80s (budget 6.00s)');
    expect(md).toContain('- RTO breakdown: 3.10s detection + 2.20s switch (fence-hz 300ms, redis-election 1.20s');
    expect(md).toContain('+ 500ms convergence');
    expect(md).toContain('- detected at 2026-11-21T02:10:04.100Z (t0+3.10s) by redis-master-reachable');
    const xml = renderJunit(report);
    expect(xml).toContain('<property name="rehearsal.outcome" value="FAILED"/><property name="rto.totalMs" value="5800"/>');
    expect(xml).toContain('<property name="rto.step.redis-electionMs" value="1200"/>');
    expect(xml).toContain('<testcase classname="drctl.rehearse.city-cut" name="rehearsal outcome" time="5.800">');
    // the step over its budget was one of the rehearsal's reasons: a failing budget testcase of its own
    expect(xml).toMatch(
      /<testcase classname="drctl\.rehearse\.city-cut\.budgets" name="step db-election" time="0\.900">\n\s+<failure type="budget" message="step &quot;db-election&quot; took 900ms, over its budget of 800ms">budget: 800ms\ntook: 900ms\n/,
    );
  });
  it("JUnit puts the RTO breakdown in the rehearsal testcase's output and the per-phase figures in properties", () => {
    const xml = renderJunit(report);
    expect(xml).toMatch(
      /<testcase classname="drctl\.rehearse\.city-cut" name="rehearsal outcome" time="5\.800">\n\s+<failure type="outcome" [^>]*>[^<]*<\/failure>\n\s+<system-out>FAILED: RTO 5\.80s \(budget 6\.00s\)\nRTO 3\.10s detection \+ 2\.20s switch \(fence-hz 300ms, [^<]*\) \+ 500ms convergence<\/system-out>/,
    );
    for (const [k, v] of [
      ['rto.detectionMs', 3100],
      ['rto.switchMs', 2200],
      ['rto.convergenceMs', 500],
      ['rto.budgetMs', 6000],
    ] as const) {
      expect(xml).toContain(`<property name="${k}" value="${v}"/>`);
    }
  });
  it('a SKIPPED or INTERRUPTED rehearsal: Markdown and JUnit say so, without an RTO', () => {
    const at = '2026-11-21T02:10:00.000Z';
    const rec = (e: Record<string, unknown>, seq: number) =>
      ({ runId: 'rh-20261121-0210', at, schemaVersion: 2, seq, ...e }) as unknown as JournalRecord;
    const skipped = buildReport({ ...rehearsalMeta(), status: 'skipped' }, [
      rec({ type: 'rehearsal.skipped', reason: 'inside blackout window "year-end freeze"' }, 1),
      rec(
        {
          type: 'rehearsal.finished',
          outcome: 'SKIPPED',
          rto: null,
          budgetMs: 6000,
          reasons: ['inside blackout window "year-end freeze"'],
        },
        2,
      ),
    ]);
    const md = renderMarkdown(skipped);
    expect(md).toContain('- outcome: **SKIPPED**, RTO not measured');
    expect(md).toContain('- skipped: inside blackout window "year-end freeze"');
    expect(md).not.toContain('RTO breakdown');
    const xml = renderJunit(skipped);
    expect(xml).toContain('<property name="rehearsal.outcome" value="SKIPPED"/><property name="rto.budgetMs" value="6000"/>');
    expect(xml).toMatch(
      /name="rehearsal outcome" time="[\d.]+">\n {6}<skipped message="inside blackout window &quot;year-end freeze&quot;"\/>/,
    );
    expect(xml).toMatch(/<testsuite [^>]*failures="0" errors="0" skipped="2"/); // the outcome, and the RTO budget (not measured)
    const interrupted = buildReport({ ...rehearsalMeta(), status: 'interrupted' }, [
      rec({ type: 'fault.injected', describe: 'freeze hz-a' }, 1),
      rec({ type: 'rehearsal.finished', outcome: 'INTERRUPTED', rto: null, budgetMs: undefined, reasons: ['interrupted (SIGTERM)'] }, 2),
    ]);
    expect(renderMarkdown(interrupted)).toContain('- outcome: **INTERRUPTED**, RTO not measured');
    expect(renderJunit(interrupted)).toMatch(
      /name="rehearsal outcome" time="[\d.]+">\n\s+<failure type="outcome" message="interrupted \(SIGTERM\)">rehearsal INTERRUPTED\n- run run: interrupted \(SIGTERM\)<\/failure>/,
    );
    expect(renderJunit(interrupted)).toMatch(/<testsuite [^>]*failures="1"/);
  });
  it("t0 is the fault's intent (its apply started); an inject that failed after it still shows t0 and the fault mark", () => {
    const rec = (at: string, e: Record<string, unknown>, seq: number) =>
      ({ runId: 'rh-20261121-0210', at, schemaVersion: 2, seq, ...e }) as unknown as JournalRecord;
    const journal = [
      rec('2026-11-21T02:10:01.000Z', { type: 'fault.intent', describe: 'run sh -c cut', before: { done: false } }, 1),
      rec('2026-11-21T02:10:02.500Z', { type: 'fault.restored', describe: 'undo: run sh -c uncut', ok: true }, 2),
      // an abort's reason was once journaled as null: the report keeps the messages only
      rec(
        '2026-11-21T02:10:03.000Z',
        {
          type: 'rehearsal.finished',
          outcome: 'FAILED',
          rto: null,
          budgetMs: undefined,
          reasons: ['injecting the fault failed: apply: exit 3', null],
        },
        3,
      ),
    ];
    const failed = buildReport({ ...rehearsalMeta(), status: 'failed' }, journal);
    expect(failed.rehearsal).toMatchObject({
      t0: '2026-11-21T02:10:01.000Z',
      fault: 'run sh -c cut',
      injectedAt: undefined,
      reasons: ['injecting the fault failed: apply: exit 3'],
    });
    const md = renderMarkdown(failed);
    expect(md).toContain("- t0 (the cut: the fault's apply started) at 2026-11-21T02:10:01.000Z: run sh -c cut");
    expect(md).toContain('- the fault was never verified in place');
    expect(md).toContain('- fault restored at 2026-11-21T02:10:02.500Z (t0+1.50s)');
    expect(renderHtml(failed, [])).toContain('id="mark-fault"');
    // with the inject done, t0 stays the intent: the marks are measured from the cut, not from "in place"
    const done = buildReport(rehearsalMeta(), [
      journal[0] as JournalRecord,
      rec('2026-11-21T02:10:02.000Z', { type: 'fault.injected', describe: 'run sh -c cut' }, 2),
    ]);
    expect(done.rehearsal).toMatchObject({ t0: '2026-11-21T02:10:01.000Z', injectedAt: '2026-11-21T02:10:02.000Z' });
    expect(renderMarkdown(done)).toContain('- fault in place at 2026-11-21T02:10:02.000Z (t0+1.00s)');
  });
  it('a group checked in several phases gets one JUnit testcase per phase, and the tables name the phase', () => {
    const at = '2026-11-21T02:10:00.000Z';
    const check = (phase: string, seq: number) =>
      ({
        runId: 'r',
        at,
        schemaVersion: 2,
        seq,
        type: 'check.passed',
        group: 'steadyState',
        name: 'served',
        detail: 'ok',
        durationMs: 5,
        phase,
      }) as unknown as JournalRecord;
    const r = buildReport(rehearsalMeta(), [check('before the fault', 1), check('recovered', 2), check('after fail-back', 3)]);
    const names = [...renderJunit(r).matchAll(/classname="drctl\.rehearse\.city-cut\.steadyState" name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['served (before the fault)', 'served (recovered)', 'served (after fail-back)']);
    expect(renderMarkdown(r)).toContain('| steadyState (after fail-back) | served | passed |');
    expect(renderHtml(r, [])).toContain('<td data-label="group">steadyState (recovered)</td><td data-label="check">served</td>');
    expect(r.checks.map((c) => c.phase)).toEqual(['before the fault', 'recovered', 'after fail-back']);
  });
  it('detects a regression against the median of earlier RTOs (> 20%)', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(detectRegression([4000, 4100, 3900, 4200, 5800])).toEqual({ regressed: true, medianMs: 4050, latestMs: 5800 });
    expect(detectRegression([4000, 4000, 4800]).regressed).toBe(false);
    expect(detectRegression([4000, 4000, 4801]).regressed).toBe(true);
    expect(detectRegression([4000])).toEqual({ regressed: false, medianMs: undefined, latestMs: 4000 });
    expect(detectRegression([])).toEqual({ regressed: false, medianMs: undefined, latestMs: undefined });
  });
  it("the trend keeps only this runbook's rehearsals with an RTO, oldest first, this run last", () => {
    expect(rtoTrend(report, rehearsalHistory()).map((p) => p.rtoMs)).toEqual([4100, 3900, 4000, 4200, 5800]);
  });
  it('escapes every text it renders', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const evil = {
      ...report,
      run: { ...rehearsalMeta(), runbook: { name: '<img src=x onerror=alert(1)>', file: '"/><script>', hash: 'x' } },
    };
    const html = renderHtml(evil, []);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('"/><script>');
    expect(html).toContain('id="regression-none"');
  });
});
