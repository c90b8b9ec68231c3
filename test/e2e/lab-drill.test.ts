import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME, startPrivateLab, SWITCHED, type PrivateLab } from '../helpers/private-lab.js';

// The lab city cut through the CLI on real servers: a private lab on free ports in a temp folder that the
// postgres user cannot reach (as a clone under /root): PostgreSQL's data is in a private folder under /tmp.
let lab: PrivateLab;
let labDir = '';
let base = 0;
const cli = (args: string[]) => lab.cli(args);
const status = () => lab.status();
const book = (name: string) => lab.book(name);

beforeAll(async () => {
  lab = await startPrivateLab('drctl-lab-e2e-', { openParent: false });
  labDir = lab.labDir;
  base = lab.base;
});
afterAll(async () => lab?.down());

describe('the lab city cut on real Redis/Sentinel, PostgreSQL, HAProxy and BIND9', () => {
  it('a second lab up on the same folder refuses instead of starting twins', async () => {
    const again = await cli(['lab', 'up', '--dir', labDir, '--base-port', String(base)]);
    expect(again.exitCode).toBe(4);
    expect(again.stderr).toContain('a lab is already running');
  });

  it('plan observes every stage and changes nothing', async () => {
    const plan = await cli(['plan', book('city-cut.yaml'), '--set', `labDir=${labDir}`]);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('shards 00-19: RZ01 (hz-a) → RZ03 (sh-a); shards 20-39: RZ02 (hz-b) → RZ04 (sh-b)');
    expect(await status()).toEqual(HOME);
  });

  it('run switches every server; fail-back.yaml brings every one home', async () => {
    const run = await cli(['run', book('city-cut.yaml'), '--yes', '--set', `labDir=${labDir}`]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(await status()).toEqual(SWITCHED);
    const again = await cli(['plan', book('city-cut.yaml'), '--set', `labDir=${labDir}`]);
    expect(again.exitCode, again.stdout).toBe(0);
    const back = await cli(['run', book('fail-back.yaml'), '--yes', '--set', `labDir=${labDir}`]);
    expect(back.exitCode, back.stdout + back.stderr).toBe(0);
    expect(await status()).toEqual(HOME);
  });

  it('drill switches, verifies, fails back, and reports the timing of each stage', async () => {
    const drill = await cli(['drill', book('city-cut.yaml'), '--yes', '--set', `labDir=${labDir}`]);
    expect(drill.exitCode, drill.stdout + drill.stderr).toBe(0);
    expect(drill.stdout).toContain('switch: succeeded, fail-back: succeeded');
    expect(await status()).toEqual(HOME);
    const runId = /\(run ([^)]+)\)/.exec(drill.stdout)?.[1] ?? '';
    const report = JSON.parse((await cli(['report', runId, '--format', 'json'])).stdout).result;
    const stages = Object.fromEntries(report.steps.map((s: { id: string; status: string; durationMs: number }) => [s.id, s.status]));
    // the wait step is a skip when the consumers switched before it first looked: both are correct
    const { 'middleware-consumers': consumers, ...changes } = stages;
    expect(['applied', 'skipped']).toContain(consumers);
    expect(changes).toEqual({
      'db-election': 'applied',
      'cache-a': 'applied',
      'cache-b': 'applied',
      rules: 'applied',
      middleware: 'applied',
      lb: 'applied',
      dns: 'applied',
    });
    const db = report.steps.find((s: { id: string }) => s.id === 'db-election');
    expect(db.notes).toHaveProperty('lagBytes', 0);
    expect(report.steps.find((s: { id: string }) => s.id === 'dns').notes).toHaveProperty('ttlSeconds', 5);
    const applied = report.steps.filter((s: { status: string }) => s.status === 'applied');
    // every stage the drill changed was rolled back; the wait (when it applied rather than skipped) changed nothing, so its undo is "already as before"
    const undos = Object.fromEntries(applied.map((s: { id: string; rollback?: { status: string } }) => [s.id, s.rollback?.status]));
    expect(undos).toEqual(
      Object.fromEntries(Object.keys(undos).map((id) => [id, id === 'middleware-consumers' ? 'already-as-before' : 'rolled-back'])),
    );
    // timing: every stage that changed something has its duration and its observe/apply/verify phases, and
    // the phases fit in the stage (no thresholds: how long is bench/'s business)
    for (const step of applied as {
      id: string;
      durationMs: number;
      phases: Record<string, number>;
      startedAt: string;
      endedAt: string;
    }[]) {
      expect(Object.keys(step.phases).sort(), step.id).toEqual(['apply', 'observe', 'verify']);
      expect(
        Object.values(step.phases).every((ms) => Number.isFinite(ms) && ms >= 0),
        step.id,
      ).toBe(true);
      expect(step.durationMs, step.id).toBeGreaterThan(0);
      expect(
        Object.values(step.phases).reduce((a, b) => a + b, 0),
        step.id,
      ).toBeLessThanOrEqual(step.durationMs + 1);
      expect(Date.parse(step.endedAt) - Date.parse(step.startedAt), step.id).toBeGreaterThanOrEqual(0);
    }
    // the summary on stdout shows each stage with its status and time: a stage the fail-back put back says so
    // (rolled-back, or already-as-before when its undo found nothing to undo: the same word as its event)
    const undone = new Map(
      report.steps
        .filter((s: { rollback?: { status: string } }) => s.rollback && s.rollback.status !== 'failed')
        .map((s: { id: string; rollback: { status: string } }) => [s.id, s.rollback.status]),
    );
    for (const [id, status] of Object.entries(stages)) {
      expect(drill.stdout, id).toMatch(new RegExp(`^ +${id} +${undone.get(id) ?? status} +\\d+(\\.\\d+)?(ms|s)$`, 'm'));
    }
  });
});
