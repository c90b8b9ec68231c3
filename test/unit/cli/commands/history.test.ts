import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../../src/cli/io.js';
import { historyCommand, historyView } from '../../../../src/cli/commands/history.js';
import { buildReport } from '../../../../src/report/build-report.js';
import { renderHtml } from '../../../../src/report/html.js';
import { detectRegression, rehearsalTrend, rtoTrend } from '../../../../src/report/regression.js';
import { sparkline, summarizeTrend, trendLine } from '../../../../src/report/trend-summary.js';
import { createFileStore } from '../../../../src/state/file-store.js';
import type { RunMeta } from '../../../../src/model/records.js';
import type { StateStore } from '../../../../src/state/store.js';
import { rehearsalJournal, rehearsalMeta } from '../../../helpers/rehearsal-fixture.js';
import { recordRun, rehearsalRun } from '../../../helpers/store-records.js';
import { makeTmpDir } from '../../../helpers/tmp-dir.js';

/** The fixture's rehearsal (run rh-20261121-0210, FAILED, RTO 5.80s), with the header the session writes at its end. */
const LATEST: RunMeta = {
  ...rehearsalMeta(),
  rehearsal: { outcome: 'FAILED', rtoMs: 5800, budgetMs: 6000, reasons: ['step "db-election" took 900ms, over its budget of 800ms'] },
};

async function runHistory(state: string, flags: { runbook?: string; limit: number }, json = false): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const io: CliIO = {
    out: (t) => void lines.push(t),
    err: () => undefined,
    json,
    interactive: false,
    color: { out: false, err: false },
    confirm: async () => false,
  };
  const cmd = { optsWithGlobals: () => ({ state }) } as unknown as Command;
  const code = await historyCommand(io, flags, cmd);
  return { code, out: lines.join('\n') };
}

describe('drctl history: RTO trend and regression over rehearsal records in the file store', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let store: StateStore;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('drctl-history-'));
    store = createFileStore(dir);
    const runs: RunMeta[] = [
      rehearsalRun({ runbook: 'city-cut', day: '2026-11-16', rtoMs: 4100, budgetMs: 6000 }),
      rehearsalRun({ runbook: 'city-cut', day: '2026-11-17', rtoMs: 3900, budgetMs: 6000 }),
      rehearsalRun({ runbook: 'city-cut', day: '2026-11-18', rtoMs: 4000, budgetMs: 6000 }),
      {
        ...rehearsalRun({ runbook: 'city-cut', day: '2026-11-19', rtoMs: undefined }),
        runId: '20261119T021000Z-city-cut-drill',
        mode: 'drill',
        rehearsal: undefined,
      },
      rehearsalRun({ runbook: 'city-cut', day: '2026-11-20', rtoMs: 4200, budgetMs: 6000 }),
      rehearsalRun({ runbook: 'city-cut', day: '2026-11-22', rtoMs: undefined, outcome: 'SKIPPED' }),
      rehearsalRun({ runbook: 'api-cut', day: '2026-11-18', rtoMs: 2000 }),
      rehearsalRun({ runbook: 'api-cut', day: '2026-11-19', rtoMs: 2100 }),
      rehearsalRun({ runbook: 'api-cut', day: '2026-11-20', rtoMs: 2050 }),
      rehearsalRun({ runbook: 'db-cut', day: '2026-11-20', rtoMs: 1500, outcome: 'FAILED' }),
    ];
    for (const m of runs) await recordRun(store, m);
    await recordRun(store, LATEST, rehearsalJournal());
  });
  afterAll(async () => cleanup());

  it("text: an RTO column with each rehearsal's RTO and outcome, then one trend line per runbook flagging the regression", async () => {
    const { code, out } = await runHistory(dir, { limit: 20 });
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^RUN\s+MODE\s+STATUS\s+DURATION\s+RTO\s+STARTED$/);
    const row = (runId: string): string => lines.find((l) => l.startsWith(`${runId} `)) ?? '';
    expect(row('rh-20261121-0210')).toMatch(/ rehearse\s+failed\s+9\.40s\s+5\.80s FAILED\s+2026-11-21T02:10:00\.000Z$/);
    expect(row('20261122T021000Z-city-cut-0000')).toMatch(/ rehearse\s+skipped\s+9\.00s\s+- SKIPPED\s+2026-11-22/);
    expect(row('20261119T021000Z-city-cut-drill')).toMatch(/ drill\s+succeeded\s+9\.00s\s+-\s+2026-11-19/);
    expect(row('20261119T021000Z-api-cut-0000')).toContain(' 2.10s SUCCEEDED ');
    expect(lines).toContain('RTO trend (rehearsals with a measured RTO, oldest → newest):');
    const trend = (name: string): string => lines.find((l) => l.startsWith(`  ${name} `)) ?? '';
    // 4100 3900 4000 4200 5800: median of all 4.10s; of the earlier four 4.05s; 5.80s is 43% above it
    expect(trend('city-cut')).toBe(
      '  city-cut  ▂▁▁▂█  5 rehearsals · min 3.90s · median 4.10s · last 5.80s (FAILED) · ' +
        'REGRESSION: +43% over the median 4.05s of earlier rehearsals (threshold 20%)',
    );
    expect(trend('api-cut')).toBe(
      '  api-cut   ▁█▅  3 rehearsals · min 2.00s · median 2.05s · last 2.05s (SUCCEEDED) · ' +
        'no regression (+0% vs median 2.05s of earlier, threshold 20%)',
    );
    expect(trend('db-cut')).toBe(
      '  db-cut    ▄  1 rehearsal · min 1.50s · median 1.50s · last 1.50s (FAILED) · no regression check yet (needs 2 rehearsals)',
    );
  });

  it('--json: rtoMs and outcome per run, the trend points, and a regression object', async () => {
    const { code, out } = await runHistory(dir, { limit: 20 }, true);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as { command: string; ok: boolean; result: Record<string, unknown> };
    expect(doc).toMatchObject({ command: 'history', ok: true });
    const runs = doc.result['runs'] as {
      runId: string;
      mode: string;
      outcome: string | null;
      rtoMs: number | null;
      budgetMs: number | null;
    }[];
    expect(runs).toHaveLength(11);
    expect(runs[0]).toMatchObject({ runId: '20261122T021000Z-city-cut-0000', outcome: 'SKIPPED', rtoMs: null });
    expect(runs.find((r) => r.runId === 'rh-20261121-0210')).toMatchObject({
      mode: 'rehearse',
      outcome: 'FAILED',
      rtoMs: 5800,
      budgetMs: 6000,
    });
    expect(runs.find((r) => r.mode === 'drill')).toMatchObject({ outcome: null, rtoMs: null });
    const trends = doc.result['trends'] as { runbook: string; rehearsals: number; points: { rtoMs: number }[]; regression: unknown }[];
    expect(trends.map((t) => [t.runbook, t.rehearsals])).toEqual([
      ['city-cut', 5],
      ['db-cut', 1],
      ['api-cut', 3],
    ]); // by their newest listed run
    expect(trends[0]?.points.map((p) => p.rtoMs)).toEqual([4100, 3900, 4000, 4200, 5800]);
    expect(trends[0]?.regression).toEqual({
      regressed: true,
      runId: 'rh-20261121-0210',
      latestMs: 5800,
      medianOfEarlierMs: 4050,
      percentAbove: 43,
      thresholdPct: 20,
    });
    expect(trends[2]?.regression).toMatchObject({ regressed: false, latestMs: 2050, medianOfEarlierMs: 2050, percentAbove: 0 });
    expect(trends[1]?.regression).toMatchObject({ regressed: false, latestMs: 1500, medianOfEarlierMs: null, percentAbove: null });
    expect(doc.result['regression']).toEqual({
      regressed: true,
      thresholdPct: 20,
      runbooks: [
        {
          runbook: 'city-cut',
          regressed: true,
          runId: 'rh-20261121-0210',
          latestMs: 5800,
          medianOfEarlierMs: 4050,
          percentAbove: 43,
          thresholdPct: 20,
        },
      ],
    });
  });

  it('-n and --runbook limit the listed runs, not the trend: it still covers every rehearsal of the runbook', async () => {
    const { out } = await runHistory(dir, { runbook: 'city-cut', limit: 2 });
    const lines = out.split('\n');
    expect(lines.filter((l) => /^\S+\s+(rehearse|drill)\s/.test(l))).toHaveLength(2);
    expect(out).not.toContain('api-cut');
    expect(out).toContain('city-cut  ▂▁▁▂█  5 rehearsals');
    expect((await runHistory(dir, { runbook: 'nope', limit: 5 })).out).toBe(`no runs of nope in ${dir}`);
  });

  it('the HTML report of the latest rehearsal flags the same regression, from the same records', async () => {
    const all = await store.listRuns();
    const meta = await store.readRunMeta('rh-20261121-0210');
    const journal = await store.readJournal('rh-20261121-0210');
    expect(meta && journal.corrupt === undefined).toBe(true);
    const report = buildReport(meta as RunMeta, journal.records);
    // the report's series (journal RTO for this run) equals history's (run headers)
    expect(rtoTrend(report, all).map((p) => p.rtoMs)).toEqual(rehearsalTrend(all, 'city-cut').map((p) => p.rtoMs));
    const fromHistory = historyView(all, { limit: 20 }).trends.find((t) => t.runbook === 'city-cut')?.verdict;
    expect(fromHistory).toEqual(detectRegression([4100, 3900, 4000, 4200, 5800]));
    const html = renderHtml(report, all);
    expect(html).toContain(
      '<p id="regression-flag" class="regression">⚠ RTO regression: 5.80s is 43% above the median 4.05s of earlier rehearsals (threshold 20%).</p>',
    );
    expect(html).toMatch(/<svg id="rto-trend"[^>]*data-regressed="true"/);
    // an earlier rehearsal's report sees only what came before it: no regression there
    const earlier = buildReport(all.find((m) => m.startedAt.startsWith('2026-11-20') && m.mode === 'rehearse') as RunMeta, []);
    expect(renderHtml(earlier, all)).toContain('id="regression-none"');
  });
});

describe('trend summary', () => {
  it('sparkline scales between min and max; equal values sit in the middle', () => {
    expect(sparkline([])).toBe('');
    expect(sparkline([1, 8])).toBe('▁█');
    expect(sparkline([5, 5, 5])).toBe('▄▄▄');
  });
  it('shows the latest 20 rehearsals in the sparkline and says so', () => {
    const points = Array.from({ length: 25 }, (_, i) => ({
      runId: `r${i}`,
      startedAt: `2026-01-${String(i + 1).padStart(2, '0')}`,
      rtoMs: 1000 + i,
      outcome: 'SUCCEEDED' as const,
      current: false,
    }));
    const t = summarizeTrend('x', points);
    expect(t && trendLine(t)).toMatch(/^x {2}[▁-█]{20} \(last 20\) {2}25 rehearsals · min 1\.00s/);
    expect(summarizeTrend('x', [])).toBeUndefined();
  });
});
