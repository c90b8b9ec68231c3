import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drctl, ROOT } from '../helpers/cli.js';
import { freeBasePort } from '../helpers/lab-processes.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

// The lab city cut through the CLI on real servers: a private lab on free ports in a temp folder.
// The lab runbooks name the default ports (27100 + offset); the test copies them with every port
// rebased to its own base port, so it never collides with a lab someone already runs.
let tmp: { dir: string; cleanup: () => Promise<void> };
let base = 0;
let labDir = '';
let books = '';
const env = () => ({ DRCTL_STATE: path.join(tmp.dir, 'state') });
const cli = (args: string[]) => drctl(args, { env: env() });

async function status() {
  const r = await cli(['lab', 'status', '--dir', labDir, '--json']);
  const s = JSON.parse(r.stdout).result;
  return {
    masters: s.redis.map((g: { group: string; masterDc: string }) => `${g.group}@${g.masterDc}`),
    sentinelsAgree: s.redis.every((g: { master: string; sentinelViews: string[] }) => g.sentinelViews.length === 3 && g.sentinelViews.every((v) => v === g.master)),
    pg: s.pgPrimary.dc,
    lb: Object.fromEntries(s.haproxy.map((h: { server: string; state: string }) => [h.server, h.state])),
    dns: s.dns.answer,
    middleware: s.middlewareActiveDc,
  };
}

const HOME = {
  masters: ['cache-a@hz-a', 'cache-b@hz-b'], sentinelsAgree: true, pg: 'hz-a',
  lb: { 'hz-a': 'ready', 'hz-b': 'ready', 'sh-a': 'maint', 'sh-b': 'maint', 'sz-a': 'maint' }, dns: ['127.0.0.10'], middleware: 'hz-a',
};
const SWITCHED = {
  masters: ['cache-a@sh-a', 'cache-b@sh-b'], sentinelsAgree: true, pg: 'sh-a',
  lb: { 'hz-a': 'maint', 'hz-b': 'maint', 'sh-a': 'ready', 'sh-b': 'ready', 'sz-a': 'maint' }, dns: ['127.0.0.20'], middleware: 'sh-a',
};

beforeAll(async () => {
  tmp = await makeTmpDir('drctl-lab-e2e-');
  await chmod(tmp.dir, 0o755); // PostgreSQL runs as the postgres user: its data folder must be reachable
  base = await freeBasePort();
  labDir = path.join(tmp.dir, 'lab');
  books = path.join(tmp.dir, 'runbooks');
  await cp(path.join(ROOT, 'runbooks/lab'), books, { recursive: true });
  for (const f of ['city-cut.yaml', 'fail-back.yaml']) {
    const text = await readFile(path.join(books, f), 'utf8');
    await writeFile(path.join(books, f), text.replace(/\b271(\d\d)\b/g, (_, off: string) => String(base + Number(off))));
  }
  const up = await cli(['lab', 'up', '--dir', labDir, '--base-port', String(base)]);
  expect(up.exitCode, up.stderr).toBe(0);
});
afterAll(async () => {
  await cli(['lab', 'down', '--dir', labDir]);
  await tmp.cleanup();
});

describe('the lab city cut on real Redis/Sentinel, PostgreSQL, HAProxy and BIND9', () => {
  it('a second lab up on the same folder refuses instead of starting twins', async () => {
    const again = await cli(['lab', 'up', '--dir', labDir, '--base-port', String(base)]);
    expect(again.exitCode).toBe(4);
    expect(again.stderr).toContain('a lab is already running');
  });

  it('plan observes every stage and changes nothing', async () => {
    const plan = await cli(['plan', path.join(books, 'city-cut.yaml'), '--set', `labDir=${labDir}`]);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('shards 00-19: RZ01 (hz-a) → RZ03 (sh-a); shards 20-39: RZ02 (hz-b) → RZ04 (sh-b)');
    expect(await status()).toEqual(HOME);
  });

  it('run switches every server; fail-back.yaml brings every one home', async () => {
    const run = await cli(['run', path.join(books, 'city-cut.yaml'), '--yes', '--set', `labDir=${labDir}`]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(await status()).toEqual(SWITCHED);
    const again = await cli(['plan', path.join(books, 'city-cut.yaml'), '--set', `labDir=${labDir}`]);
    expect(again.exitCode, again.stdout).toBe(0);
    const back = await cli(['run', path.join(books, 'fail-back.yaml'), '--yes', '--set', `labDir=${labDir}`]);
    expect(back.exitCode, back.stdout + back.stderr).toBe(0);
    expect(await status()).toEqual(HOME);
  });

  it('drill switches, verifies, fails back, and reports the timing of each stage', async () => {
    const drill = await cli(['drill', path.join(books, 'city-cut.yaml'), '--yes', '--set', `labDir=${labDir}`]);
    expect(drill.exitCode, drill.stdout + drill.stderr).toBe(0);
    expect(drill.stdout).toContain('switch: succeeded, fail-back: succeeded');
    expect(await status()).toEqual(HOME);
    const runId = /\(run ([^)]+)\)/.exec(drill.stdout)?.[1] ?? '';
    const report = JSON.parse((await cli(['report', runId, '--format', 'json'])).stdout);
    const stages = Object.fromEntries(report.steps.map((s: { id: string; status: string; durationMs: number }) => [s.id, s.status]));
    // the wait step is a skip when the consumers switched before it first looked: both are correct
    const { 'middleware-consumers': consumers, ...changes } = stages;
    expect(['applied', 'skipped']).toContain(consumers);
    expect(changes).toEqual({ 'db-election': 'applied', 'cache-a': 'applied', 'cache-b': 'applied', rules: 'applied', middleware: 'applied', lb: 'applied', dns: 'applied' });
    const db = report.steps.find((s: { id: string }) => s.id === 'db-election');
    expect(db.notes).toHaveProperty('lagBytes', 0);
    expect(report.steps.find((s: { id: string }) => s.id === 'dns').notes).toHaveProperty('ttlSeconds', 5);
    const applied = report.steps.filter((s: { status: string }) => s.status === 'applied');
    expect(applied.every((s: { rollback?: { status: string } }) => s.rollback?.status === 'rolled-back')).toBe(true);
  });
});
