import net from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drctl, spawnDrctl } from '../helpers/cli.js';
import { HOME, startPrivateLab, type PrivateLab } from '../helpers/private-lab.js';

// The "done when": rehearse the lab city cut for real on a private lab. The cut freezes every
// process of hz-a and hz-b (clients see silent servers), Sentinel elects, the switch runs, steady state
// returns, the cut is restored, fail-back runs, and every server ends as it started.
let lab: PrivateLab;
let cityCut = '';
const set = () => ['--set', `labDir=${lab.labDir}`];

beforeAll(async () => {
  lab = await startPrivateLab('drctl-lab-rehearse-');
  cityCut = lab.book('city-cut.yaml');
  // the runbook's year-end blackout must not make this test depend on the date it runs
  const text = await readFile(cityCut, 'utf8');
  await writeFile(cityCut, text.replace('date: "2026-12-31"', 'date: "2000-01-01"'));
});
afterAll(async () => lab?.down());

/** One PING with a deadline: does the server answer? (A frozen one accepts the connection, then says nothing.) */
function answers(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** Every sentinel.log of the lab: Sentinel's own account of what it decided. */
async function sentinelLogs(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => path.basename(f) === 'sentinel.log');
  expect(files.length).toBeGreaterThan(0);
  return (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n');
}

type Rec = { type: string; stepId?: string; message?: string; notes?: Record<string, unknown>; reason?: string };

describe('drctl rehearse on the lab: a real network cut of Hangzhou', () => {
  // each test has its own state folder: none depends on another having run
  const cli = (state: string, args: readonly string[]) => drctl(args, { env: { DRCTL_STATE: path.join(lab.dir, state) } });

  it('--dry-run is read-only: schedule, readiness, steady state, stop conditions, the fault target and the plan', async () => {
    const dry = await cli('state-dry', ['rehearse', cityCut, '--dry-run', ...set()]);
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toContain('schedule: allowed now');
    expect(dry.stdout).toContain('✓ cashier-serves');
    expect(dry.stdout).toContain('✓ config-centre-alive');
    expect(dry.stdout).toMatch(/fault \(fault\.freeze\): ✓ freeze hz-a, hz-b \(\d+ processes\)/);
    expect(dry.stdout).toContain('predicted RTO: no earlier succeeded rehearsal');
    expect(await lab.status()).toEqual(HOME);
  });

  it('cut, detect (Sentinel elects both caches by itself), switch, recover, restore, fail back: SUCCEEDED, the RTO broken down; cron right after is SKIPPED', async () => {
    const state = path.join(lab.dir, 'state-cut');
    const child = spawnDrctl(['rehearse', cityCut, '--yes', ...set()], { env: { DRCTL_STATE: state } });
    // a client of the cut data center: its Redis master stops answering while the cut is in place
    const cacheA = lab.base; // cache-a-hz-a
    const seen = { silent: 0, samples: 0 };
    let running = true;
    void child.finally(() => (running = false));
    while (running) {
      seen.samples += 1;
      if (!(await answers(cacheA))) seen.silent += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await child;
    const out = String(r.stdout);
    expect(r.exitCode, out + String(r.stderr)).toBe(0);
    expect(seen.silent, `${seen.silent} of ${seen.samples} PINGs to hz-a's Redis went unanswered`).toBeGreaterThan(0);
    expect(await answers(cacheA)).toBe(true);
    expect(out).toMatch(/rehearsal SUCCEEDED, RTO [\d.]+m?s \(budget 26\.0s\)/);

    const runId = /\(run ([^)]+)\)/.exec(out)?.[1] ?? '';
    const report = JSON.parse((await cli('state-cut', ['report', runId, '--format', 'json'])).stdout).result;
    const { rto } = report.rehearsal;
    expect(report.rehearsal.outcome).toBe('SUCCEEDED');
    // the report carries the RTO and its breakdown, and the parts add up to it
    for (const part of ['totalMs', 'detectionMs', 'switchMs', 'convergenceMs']) expect(rto[part], part).toEqual(expect.any(Number));
    expect(rto.detectionMs + rto.switchMs + rto.convergenceMs).toBe(rto.totalMs);
    expect(report.run.rehearsal.rtoMs).toBe(rto.totalMs);
    // Sentinel saw the outage (its down-after is 1s): detection is real, not t0
    expect(rto.detectionMs).toBeGreaterThan(500);
    expect(Object.keys(rto.steps).sort()).toEqual([
      'cache-a',
      'cache-b',
      'db-election',
      'dns',
      'lb',
      'middleware',
      'middleware-consumers',
      'rules',
    ]);
    // the switch really happened: the database was promoted in Shanghai and the routing rules moved
    const steps = Object.fromEntries(report.steps.map((s: { id: string; status: string }) => [s.id, s.status]));
    for (const id of ['db-election', 'rules', 'lb', 'dns']) expect(steps[id], id).toBe('applied');

    // Sentinel elected both groups' new masters by itself: drctl's cache steps never issued SENTINEL
    // FAILOVER during the outage (no "failover started", no failoverMs note); they found the election done
    const journal = (await readFile(path.join(state, 'runs', runId, 'journal.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
    const outage = journal.slice(
      0,
      journal.findIndex((e) => e.type === 'rollback.started'),
    );
    const logs = await sentinelLogs(lab.labDir);
    for (const [group, hz, sh] of [
      ['cache-a', lab.base, lab.base + 1],
      ['cache-b', lab.base + 3, lab.base + 4],
    ] as const) {
      const events = outage.filter((e) => e.stepId === group);
      expect(
        events.filter((e) => e.type === 'step.progress' && /failover of \S+ started/.test(e.message ?? '')),
        group,
      ).toEqual([]);
      expect(
        events.filter((e) => e.notes?.['failoverMs'] !== undefined),
        group,
      ).toEqual([]);
      const found =
        events.some((e) => e.type === 'step.skipped') ||
        events.some((e) => e.type === 'step.progress' && /elected \S+ by itself|waiting for Sentinel/.test(e.message ?? ''));
      expect(found, `${group}: ${JSON.stringify(events.map((e) => e.message ?? e.reason ?? e.type))}`).toBe(true);
      // and Sentinel's own log: it reached objective-down on the frozen master, then switched to Shanghai
      expect(logs).toMatch(new RegExp(`\\+odown master ${group} 127\\.0\\.0\\.1 ${hz}\\b`));
      expect(logs).toMatch(new RegExp(`\\+switch-master ${group} 127\\.0\\.0\\.1 ${hz} 127\\.0\\.0\\.1 ${sh}\\b`));
    }

    // the timeline report: one self-contained file with the fault/detection marks and the RTO
    const html = path.join(lab.dir, 'rehearsal.html');
    const rep = await cli('state-cut', ['report', runId, '--format', 'html', '-o', html]);
    expect(rep.exitCode, rep.stderr).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('mark-fault');
    expect(page).toMatch(/RTO/);
    expect(page).not.toMatch(/(src|href)="https?:/);

    const s = JSON.parse((await lab.cli(['lab', 'status', '--dir', lab.labDir, '--json'])).stdout).result;
    expect(s.processes.filter((p: { alive: boolean; frozen: boolean }) => !p.alive || p.frozen)).toEqual([]);
    expect(await lab.status()).toEqual(HOME);

    // cron right after: SKIPPED by the runbook's minInterval (exit 5), recorded, nothing touched
    const again = await cli('state-cut', ['rehearse', cityCut, '--yes', ...set()]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(5);
    expect(again.stdout).toMatch(/last rehearsal \d+s ago, minInterval 1m/);
    expect(await lab.status()).toEqual(HOME);
    const dry = await cli('state-cut', ['rehearse', cityCut, '--dry-run', '--ignore-schedule', ...set()]);
    expect(dry.stdout).toMatch(/predicted RTO: [\d.]+m?s = .* detection .* \(median of 1 earlier rehearsal/);
  });
});
