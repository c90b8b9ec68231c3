import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME, startPrivateLab, type PrivateLab } from '../helpers/private-lab.js';

// `DRCTL_STATE=etcd://… npm run demo` on a private lab: the state lives on the lab's own 3-member etcd
// cluster (started by `lab up` before anything uses it), through a drill and a real network cut of
// Hangzhou — which freezes Hangzhou's etcd member under the running controller.
let lab: PrivateLab;
let cityCut = '';
const set = () => ['--set', `labDir=${lab.labDir}`];

beforeAll(async () => {
  lab = await startPrivateLab('drctl-lab-etcd-', { stateOnLabEtcd: true });
  cityCut = lab.book('city-cut.yaml');
  const text = await readFile(cityCut, 'utf8');
  await writeFile(cityCut, text.replace('date: "2026-12-31"', 'date: "2000-01-01"'));
});
afterAll(async () => lab?.down());

/**
 * Succeeded — or only over a time budget: on a loaded machine the lab's stages can miss their budgets,
 * which fails the exit code by design (bench/ measures speed; this test is about where the state lives).
 */
function expectDone(r: { exitCode?: number | null; stdout: unknown; stderr: unknown }): void {
  const errors = String(r.stderr)
    .split('\n')
    .filter((l) => l.startsWith('error:'));
  if (r.exitCode === 0) return;
  expect(
    errors.length > 0 && errors.every((l) => / over (its|the|the runbook's) budget /.test(l)),
    String(r.stdout) + String(r.stderr),
  ).toBe(true);
}

const lastRunId = async (): Promise<string> =>
  JSON.parse((await lab.cli(['history', '--runbook', 'lab-city-cut', '-n', '1', '--json'])).stdout).result.runs[0].runId as string;

describe("the demo with its state on the lab's etcd cluster", () => {
  it('lab status names the cluster; drill and rehearse run with every record in etcd, the cut of Hangzhou freezing one member of three', async () => {
    const status = JSON.parse((await lab.cli(['lab', 'status', '--dir', lab.labDir, '--json'])).stdout).result;
    expect(status.etcd.url).toBe(`etcd://127.0.0.1:${lab.base + 72},127.0.0.1:${lab.base + 73},127.0.0.1:${lab.base + 74}/drctl`);
    expect(status.etcd.members.filter((m: { leader: boolean }) => m.leader)).toHaveLength(1);

    const drill = await lab.cli(['drill', cityCut, '--yes', ...set()]);
    expectDone(drill);
    expect(drill.stdout).toContain('fail-back: succeeded'); // the switch reads failed when it only missed a budget
    expect(await lab.status()).toEqual(HOME);
    const drillId = await lastRunId();
    const md = await lab.cli(['report', drillId, '--format', 'md']);
    expect(md.exitCode, md.stderr).toBe(0);
    expect(md.stdout).toContain('db-election');

    const rehearse = await lab.cli(['rehearse', cityCut, '--yes', '--ignore-schedule', ...set()]);
    expectDone(rehearse);
    expect(await lab.status()).toEqual(HOME);
    const rehearsalId = await lastRunId();
    expect(rehearsalId).not.toBe(drillId);
    const html = path.join(lab.dir, 'timeline.html');
    const report = await lab.cli(['report', rehearsalId, '--format', 'html', '-o', html]);
    expect(report.exitCode, report.stderr).toBe(0);
    expect((await stat(html)).size).toBeGreaterThan(0);
    // the cut froze etcd-hz (hz-a): the journal was written under one token all along
    const json = JSON.parse((await lab.cli(['report', rehearsalId, '--format', 'json'])).stdout).result;
    expect(json.steps.length).toBeGreaterThan(0);
    const runs = JSON.parse((await lab.cli(['history', '--json'])).stdout).result.runs as { runId: string; status: string }[];
    expect(runs.map((r) => r.runId)).toEqual(expect.arrayContaining([drillId, rehearsalId]));
    expect((await lab.cli(['status', '--json'])).exitCode).toBe(0);
  });
});
