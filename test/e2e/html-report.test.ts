import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { PHASE_COLOURS } from '../../src/report/html-timeline.js';
import { decodePng } from '../helpers/png.js';
import { rehearsalHistory, rehearsalReport } from '../helpers/rehearsal-fixture.js';
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
    html = renderHtml(rehearsalReport(), rehearsalHistory());
    const file = path.join(dir, 'report.html');
    await writeFile(file, html);
    url = pathToFileURL(file).href;
  });
  afterAll(async () => cleanup());

  it('is self-contained: no script, no external URL', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(["']?http/i);
    expect(html).toContain('orders API &lt;script&gt;ok&lt;/script&gt;');
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
