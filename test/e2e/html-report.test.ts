import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { createFileStore } from '../../src/state/file-store.js';
import type { RunMeta } from '../../src/state/records.js';
import { PHASE_COLOURS } from '../../src/report/html-timeline.js';
import { decodePng } from '../helpers/png.js';
import { drctl, exampleWorkspace } from '../helpers/cli.js';
import { rehearsalHistory, rehearsalJournal, rehearsalReport } from '../helpers/rehearsal-fixture.js';
import { recordRun } from '../helpers/store-records.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
/** A stable copy of the screenshot for humans: $TMPDIR/drctl-html-report/report.png. */
const ARTIFACTS = path.join(os.tmpdir(), 'drctl-html-report');

/** Run headless Chromium once; the whole process group is killed by pid if it hangs. */
function chromium(args: readonly string[], profile: string): Promise<{ stdout: string; code: number | null }> {
  const argv = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, argv, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`chromium did not finish within 60s: ${args.join(' ')}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
  });
}

const hex = (css: string): number => Number.parseInt(css.slice(1), 16);
const RUN_ID = 'rh-20261121-0210';

/** Self-contained: no script, and no reference that would make a browser fetch anything (the SVG namespace is a name, not a fetch). */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\s(src|href|xlink:href|action|srcset|poster|data)=["']?[^"'\s>]*:?\/\//i);
  expect(html).not.toMatch(/@import|url\(\s*(?!["']?#)/i); // url(#hatch) is a pattern in the same document
  expect(html).not.toMatch(/<(link|iframe|object|embed|img|image|use)\b/i);
  expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
}

/**
 * The fixture's rehearsal and its history, written through the file store API as the engine would
 * (headers, the rehearsal's journal under the lock's fence), so the CLI reads them like real records.
 */
async function rehearsalStore(state: string): Promise<void> {
  const store = createFileStore(state);
  for (const m of rehearsalHistory()) await recordRun(store, m as RunMeta, m.runId === RUN_ID ? rehearsalJournal() : []);
}

describe('HTML report in a real browser (headless Chromium)', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let url = '';
  let html = '';
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)`);
    }
    ({ dir, cleanup } = await makeTmpDir('drctl-html-'));
    // the file under test is what `drctl report RUN --format html -o FILE` writes from the state store
    const state = path.join(dir, '.drctl');
    await rehearsalStore(state);
    const file = path.join(dir, 'report.html');
    const r = await drctl(['report', RUN_ID, '--format', 'html', '-o', file, '--state', state]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe(`wrote ${file}`);
    expect(r.stdout).toBe('');
    html = await readFile(file, 'utf8');
    url = pathToFileURL(file).href;
  });
  afterAll(async () => cleanup());

  it('the CLI writes exactly what renderHtml makes of the same records; without -o it prints it', async () => {
    expect(html).toBe(renderHtml(rehearsalReport(), rehearsalHistory()));
    const state = path.join(dir, '.drctl');
    const r = await drctl(['report', RUN_ID, '--format', 'html', '--state', state]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trimEnd()).toBe(html.trimEnd());
  });

  it('is self-contained: no script, no external URL, even with the fixture\'s hostile text', () => {
    expectSelfContained(html);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:\/\//i);
    expect(html).toContain('orders API &lt;script&gt;ok&lt;/script&gt;');
    for (const id of ['timeline-section', 'timeline', 'rto-section', 'rto-breakdown', 'rto-headline', 'trend-section', 'rto-trend', 'regression-flag']) {
      expect(html, id).toContain(`id="${id}"`);
    }
  });

  it('history flags the same regression the report shows', async () => {
    const r = await drctl(['history', '--json', '--state', path.join(dir, '.drctl')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { result: { regression: { regressed: boolean; runbooks: { runbook: string; runId: string; percentAbove: number }[] } } };
    expect(doc.result.regression.regressed).toBe(true);
    expect(doc.result.regression.runbooks).toMatchObject([{ runbook: 'city-cut', runId: RUN_ID, percentAbove: 43 }]);
    expect(html).toContain('RTO regression: 5.80s is 43% above the median 4.05s');
  });

  it('renders the timeline: the DOM Chromium built has every element', async () => {
    const { stdout, code } = await chromium(['--dump-dom', url], path.join(dir, 'profile-dom'));
    expect(code).toBe(0);
    const dom = stdout;
    const rows = [...dom.matchAll(/<g class="step-row[^"]*" data-step="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['fence-hz', 'redis-election', 'db-election', 'rules-flip', 'dns-switch', 'lb-shift']);
    expect([...dom.matchAll(/data-step="/g)]).toHaveLength(6);
    for (const phase of ['observe', 'apply', 'verify', 'rollback']) expect(dom).toContain(`data-phase="${phase}"`);
    expect([...dom.matchAll(/data-rollback-step="/g)]).toHaveLength(6);
    for (const id of ['mark-fault', 'mark-detected', 'mark-recovered', 'mark-restored', 'mark-budget', 'timeline', 'rto-breakdown', 'rto-trend', 'rto-regression', 'regression-flag', 'outage-window']) {
      expect(dom, id).toContain(`id="${id}"`);
    }
    expect(dom).toMatch(/class="step-row critical" data-step="redis-election"/);
    expect(dom).not.toMatch(/class="step-row critical" data-step="db-election"/);
    expect(dom).toMatch(/data-retry="2"/);
    expect(dom).toMatch(/class="step-budget over" data-budget-step="db-election"/);
    expect([...dom.matchAll(/data-budget-step="/g)]).toHaveLength(6);
    for (const part of ['detection', 'switch', 'convergence']) expect(dom).toContain(`data-rto-part="${part}"`);
    expect([...dom.matchAll(/class="trend-point/g)]).toHaveLength(5);
    expect(dom).toMatch(/<svg id="rto-trend"[^>]*data-regressed="true"/);
    expect(dom).toMatch(/RTO regression: 5\.80s is 43% above the median 4\.05s/);
  });

  it('takes a screenshot in which the timeline is drawn', async () => {
    const png = path.join(dir, 'report.png');
    const { code } = await chromium([`--screenshot=${png}`, '--window-size=1400,2000', '--hide-scrollbars', url], path.join(dir, 'profile-shot'));
    expect(code).toBe(0);
    expect((await stat(png)).size).toBeGreaterThan(30_000);
    await mkdir(ARTIFACTS, { recursive: true });
    await copyFile(png, path.join(ARTIFACTS, 'report.png'));
    await writeFile(path.join(ARTIFACTS, 'report.html'), html);
    const img = decodePng(await readFile(png));
    expect([img.width, img.height]).toEqual([1400, 2000]);
    const counts = new Map<number, number>();
    for (let y = 0; y < img.height; y += 2) for (let x = 0; x < img.width; x += 2) {
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
