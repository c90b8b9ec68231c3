import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtml } from '../../src/report/html.js';
import { PHASE_COLOURS } from '../../src/report/html-timeline.js';
import { createFileStore } from '../../src/state/file-store.js';
import { decodePng } from '../helpers/png.js';
import { CHROMIUM, chromium, expectSelfContained, hex } from '../helpers/chromium.js';
import { drctl, exampleWorkspace } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

/** A stable copy of the screenshot for humans: $TMPDIR/drctl-html-report/report.png. */
const ARTIFACTS = path.join(os.tmpdir(), 'drctl-html-report');

/**
 * An exec-only city cut that exercises every part of the timeline: four steps (elect fails its first
 * attempt and is retried; flip is over its 1ms budget; dns needs both branches), a fault with
 * detection, recovery, restore and fail-back, and `slow` seconds added to dns (a slower rehearsal).
 */
function cityCutRunbook(d: string): string {
  const cmd = (script: string): string => JSON.stringify(['sh', '-c', script]);
  const step = (id: string, extra: string, apply: string, rollback = `sleep 0.2; rm -f ${d}/${id}`): string => `    - id: ${id}
      kind: exec${extra}
      with:
        observe: { cmd: ${cmd(`sleep 0.1; test -e ${d}/${id}`)} }
        apply: ${cmd(apply)}
        rollback: ${cmd(rollback)}`;
  return `apiVersion: drctl/v1
kind: Runbook
metadata: { name: html-cut }
spec:
  params:
    slow: { default: "0" }
  budget: 60s
  defaults: { timeout: 20s, retries: 1, retryBackoff: 100ms }
  fault:
    description: cut hz
    kind: exec
    with:
      observe: { cmd: [test, -e, ${d}/fault] }
      apply: ${cmd(`sleep 0.1; touch ${d}/fault`)}
      rollback: ${cmd(`sleep 0.1; rm -f ${d}/fault`)}
    detect:
      - { name: fault-seen, exec: [test, -e, ${d}/fault], interval: 20ms }
    detectTimeout: 10s
    recoverTimeout: 10s
  steadyState:
    - { name: served, exec: ${cmd(`! [ -e ${d}/fault ] || [ -e ${d}/dns ]`)}, interval: 50ms }
  stopConditions:
    - { name: no-breach, exec: ${cmd(`! [ -e ${d}/breach ]`)}, interval: 100ms }
  steps:
${step('fence', '', `sleep 0.2; touch ${d}/fence`)}
${step('elect', '', `sleep 0.2; [ -e ${d}/tried ] || { touch ${d}/tried; exit 1; }; touch ${d}/elect`, `sleep 0.2; rm -f ${d}/elect ${d}/tried`)}
${step('flip', '\n      needs: [elect]\n      budget: 1ms', `sleep 0.2; touch ${d}/flip`)}
${step('dns', '\n      needs: [flip, fence]', `sleep \${params.slow}; sleep 0.2; touch ${d}/dns`)}
`;
}

describe('HTML report of a real rehearsal, in a real browser (headless Chromium)', () => {
  let dir = '';
  let state = '';
  let cleanup: () => Promise<void> = async () => {};
  let url = '';
  let html = '';
  let runId = '';
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium package (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)`,
      );
    }
    ({ dir, cleanup } = await makeTmpDir('drctl-html-'));
    state = path.join(dir, '.drctl');
    const book = path.join(dir, 'html-cut.yaml');
    await writeFile(book, cityCutRunbook(dir));
    // three rehearsals through the CLI, as cron runs them; the last one slower (the trend's latest point)
    for (const slow of ['0', '0', '2']) {
      const r = await drctl(['rehearse', book, '--yes', '--set', `slow=${slow}`, '--state', state]);
      // flip is over its 1ms budget every time: a finding in the report, not a failed rehearsal
      expect(r.stdout, r.stderr).toMatch(/rehearsal SUCCEEDED/);
      expect(r.stderr).toMatch(/step "flip" took \d+(\.\d+)?m?s, over its budget of 1ms/);
      runId = /\(run ([^)]+)\)/.exec(r.stdout)?.[1] ?? '';
    }
    // the file under test is what `drctl report RUN --format html -o FILE` writes from the state store
    const file = path.join(dir, 'report.html');
    const r = await drctl(['report', runId, '--format', 'html', '-o', file, '--state', state]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe(`wrote ${file}`);
    expect(r.stdout).toBe('');
    html = await readFile(file, 'utf8');
    url = pathToFileURL(file).href;
  });
  afterAll(async () => cleanup());

  it("the CLI writes exactly what renderHtml makes of the run's records; without -o it prints it; it is self-contained", async () => {
    const store = createFileStore(state);
    const meta = await store.readRunMeta(runId);
    if (!meta) throw new Error(`no run ${runId}`);
    expect(html).toBe(renderHtml(buildReport(meta, (await store.readJournal(runId)).records), await store.listRuns()));
    const r = await drctl(['report', runId, '--format', 'html', '--state', state]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trimEnd()).toBe(html.trimEnd());
    expectSelfContained(html);
    for (const id of ['timeline-section', 'timeline', 'rto-section', 'rto-breakdown', 'rto-headline', 'trend-section', 'rto-trend']) {
      expect(html, id).toContain(`id="${id}"`);
    }
  });

  it('renders the timeline: the DOM Chromium built has every element of the real run', async () => {
    const { stdout, code } = await chromium(['--dump-dom', url], path.join(dir, 'profile-dom'));
    expect(code).toBe(0);
    const dom = stdout;
    const rows = [...dom.matchAll(/<g class="step-row[^"]*" data-step="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['fence', 'elect', 'flip', 'dns']);
    for (const phase of ['observe', 'apply', 'verify', 'rollback']) expect(dom).toContain(`data-phase="${phase}"`);
    // every step was failed back after the restore
    expect([...dom.matchAll(/data-rollback-step="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(['dns', 'elect', 'fence', 'flip']);
    for (const id of [
      'mark-fault',
      'mark-detected',
      'mark-recovered',
      'mark-restored',
      'mark-budget',
      'timeline',
      'rto-breakdown',
      'rto-trend',
      'outage-window',
    ]) {
      expect(dom, id).toContain(`id="${id}"`);
    }
    // the marks are in the order they happened, measured from t0
    const at = (id: string): number => Number(new RegExp(`<g id="${id}"[^>]*><line x1="([\\d.]+)"`).exec(dom)?.[1]);
    expect(at('mark-fault')).toBeLessThanOrEqual(at('mark-detected'));
    expect(at('mark-detected')).toBeLessThan(at('mark-recovered'));
    expect(at('mark-recovered')).toBeLessThan(at('mark-restored'));
    // the critical path (by actual durations) goes through the retried election, not the fence
    for (const id of ['elect', 'flip', 'dns']) expect(dom).toMatch(new RegExp(`class="step-row critical" data-step="${id}"`));
    expect(dom).not.toMatch(/class="step-row critical" data-step="fence"/);
    expect(dom).toMatch(/<g class="retry" data-retry="2"/);
    expect(dom).toMatch(/class="step-budget over" data-budget-step="flip"/);
    expect([...dom.matchAll(/data-budget-step="/g)]).toHaveLength(1);
    for (const part of ['detection', 'switch', 'convergence']) expect(dom).toContain(`data-rto-part="${part}"`);
    expect([...dom.matchAll(/class="trend-point/g)]).toHaveLength(3);
    // the regression flag the page shows is the one `drctl history` reports
    const hist = JSON.parse((await drctl(['history', '--json', '--state', state])).stdout) as {
      result: { regression: { regressed: boolean } };
    };
    const regressed = hist.result.regression.regressed;
    expect(dom).toMatch(new RegExp(`<svg id="rto-trend"[^>]*data-regressed="${regressed}"`));
    expect(dom.includes('id="regression-flag"')).toBe(regressed);
  });

  it('takes a screenshot in which the timeline is drawn', async () => {
    const png = path.join(dir, 'report.png');
    const { code } = await chromium(
      [`--screenshot=${png}`, '--window-size=1400,2000', '--hide-scrollbars', url],
      path.join(dir, 'profile-shot'),
    );
    expect(code).toBe(0);
    expect((await stat(png)).size).toBeGreaterThan(30_000);
    await mkdir(ARTIFACTS, { recursive: true });
    await copyFile(png, path.join(ARTIFACTS, 'report.png'));
    await writeFile(path.join(ARTIFACTS, 'report.html'), html);
    const img = decodePng(await readFile(png));
    expect([img.width, img.height]).toEqual([1400, 2000]);
    const counts = new Map<number, number>();
    for (let y = 0; y < img.height; y += 2)
      for (let x = 0; x < img.width; x += 2) {
        const p = img.pixel(x, y);
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
    expect(counts.size).toBeGreaterThan(50);
    // every phase colour is really painted (solid bar interiors), not only declared
    for (const [phase, colour] of Object.entries(PHASE_COLOURS)) expect(counts.get(hex(colour)) ?? 0, phase).toBeGreaterThan(20);
  });
});

describe('drctl report --format html of a real `drctl run`', () => {
  it('writes a self-contained report with the timeline of every step (no rehearsal: no RTO section)', async () => {
    const ws = await exampleWorkspace();
    try {
      const run = await ws.run(['run', 'city-cut.yaml', '--yes']);
      expect(run.exitCode, run.stderr).toBe(0);
      const runId = /\(run ([^)]+)\)/.exec(run.stdout)?.[1] ?? '';
      expect(runId).not.toBe('');
      const file = path.join(ws.dir, 'out', 'run.html');
      await mkdir(path.dirname(file), { recursive: true });
      const r = await ws.run(['report', runId, '--format', 'html', '-o', file]);
      expect(r.exitCode, r.stderr).toBe(0);
      const html = await readFile(file, 'utf8');
      expectSelfContained(html);
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain(`data-run-id="${runId}"`);
      expect(html).toContain('id="timeline"');
      const rows = [...html.matchAll(/<g class="step-row[^"]*" data-step="([^"]+)"/g)].map((m) => m[1]);
      expect(rows).toHaveLength(8);
      expect(rows).toEqual(expect.arrayContaining(['estate-api', 'db-election', 'cache', 'rules', 'middleware', 'lb', 'dns', 'settle']));
      expect(html).toMatch(/class="step-row critical" data-step="db-election"/);
      expect(html).not.toContain('id="rto-section"');
      expect(html).toContain('No rehearsal with a measured RTO yet.');
      const unknown = await ws.run(['report', 'no-such-run', '--format', 'html']);
      expect(unknown.exitCode).toBe(3);
    } finally {
      await ws.cleanup();
    }
  });
});
