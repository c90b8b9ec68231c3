import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drctl, spawnDrctl } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

// drctl rehearse through the CLI, as cron runs it (no terminal, CI=true), on an estate of local files
// driven by real commands: the fault is a file that makes the "hz" side unavailable, the switch moves
// the active side to "sh", every apply and rollback appends to a log (real side effects, counted).
// The lab's real network cut is rehearsed in lab-rehearse.test.ts.

let ws: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  ws = await makeTmpDir('drctl-rehearse-');
  await writeFile(path.join(ws.dir, 'active'), 'hz\n');
});
afterEach(async () => ws.cleanup());

const f = (name: string): string => path.join(ws.dir, name);
const state = (): string => f('state');
const sh = (script: string): string => JSON.stringify(['sh', '-c', script]);

interface Shape {
  readonly schedule?: string;
  readonly budget?: string;
  /** seconds the drain step sleeps (a long switch, to interrupt or breach during it) */
  readonly drainSeconds?: number;
}

/** The runbook: fault file → detected → switch (drain, flip) → steady state → restore → fail back. */
async function writeRunbook(shape: Shape = {}): Promise<string> {
  const d = ws.dir;
  const text = `apiVersion: drctl/v1
kind: Runbook
metadata: { name: files-cut }
spec:
  ${shape.budget ? `budget: ${shape.budget}` : ''}
  fault:
    description: cut hz
    kind: exec
    with:
      observe: { cmd: [test, -e, ${d}/fault], doneWhen: { exitCode: [0] } }
      apply: ${sh(`touch ${d}/fault; echo inject >> ${d}/log`)}
      rollback: ${sh(`rm -f ${d}/fault; echo restore >> ${d}/log`)}
    detect:
      - { name: fault-seen, exec: [test, -e, ${d}/fault], interval: 50ms }
    detectTimeout: 5s
    recoverTimeout: 5s
  steadyState:
    - name: served
      exec: ${sh(`! [ -e ${d}/fault ] || grep -qx sh ${d}/active`)}
      interval: 50ms
      successThreshold: 2
  stopConditions:
    - { name: no-breach, exec: ${sh(`! [ -e ${d}/breach ]`)} }
  ${shape.schedule ?? ''}
  steps:
    - id: drain
      kind: exec
      with:
        observe: { cmd: [test, -e, ${d}/drained] }
        apply: ${sh(`echo drain >> ${d}/log; sleep ${shape.drainSeconds ?? 0}; touch ${d}/drained`)}
        rollback: ${sh(`rm -f ${d}/drained; echo undrain >> ${d}/log`)}
    - id: flip
      kind: exec
      needs: [drain]
      with:
        observe: { cmd: ${sh(`grep -qx sh ${d}/active`)} }
        apply: ${sh(`echo sh > ${d}/active; echo flip >> ${d}/log`)}
        rollback: ${sh(`echo hz > ${d}/active; echo unflip >> ${d}/log`)}
`;
  const file = f('rehearse.yaml');
  await writeFile(file, text);
  return file;
}

const rehearse = (file: string, ...args: string[]) => drctl(['rehearse', file, '--state', state(), ...args]);
const log = async (): Promise<string[]> => (existsSync(f('log')) ? (await readFile(f('log'), 'utf8')).trim().split('\n') : []);
const active = async (): Promise<string> => (await readFile(f('active'), 'utf8')).trim();
const runIdOf = (stdout: string): string => /\(run ([^)]+)\)/.exec(stdout)?.[1] ?? '';
const report = async (runId: string) => JSON.parse((await drctl(['report', runId, '--format', 'json', '--state', state()])).stdout);

describe('drctl rehearse', () => {
  it('injects, detects, switches, measures the RTO, restores, fails back; the report and history carry the outcome and RTO', async () => {
    const file = await writeRunbook();
    const r = await rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rehearsal SUCCEEDED, RTO \d/);
    expect(r.stdout).toMatch(/= .* detection \+ .* switch \(.*flip.*\) \+ .* convergence/);
    // every change made once, undone once, in order: restore before fail back
    expect(await log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);
    expect(existsSync(f('fault'))).toBe(false);
    expect(await active()).toBe('hz');

    const rep = await report(runIdOf(r.stdout));
    expect(rep.rehearsal.outcome).toBe('SUCCEEDED');
    const rto = rep.rehearsal.rto;
    expect(rto.totalMs).toBeGreaterThan(0);
    expect(Math.abs(rto.detectionMs + rto.switchMs + rto.convergenceMs - rto.totalMs)).toBeLessThan(5);
    expect(Object.keys(rto.steps).sort()).toEqual(['drain', 'flip']);
    const md = await drctl(['report', runIdOf(r.stdout), '--format', 'md', '--state', state()]);
    expect(md.stdout).toContain('SUCCEEDED');
    expect(md.stdout).toMatch(/RTO/);
    const junit = await drctl(['report', runIdOf(r.stdout), '--format', 'junit', '--state', state()]);
    expect(junit.stdout).toMatch(/rehears/i);

    // dry-run: read-only, with a predicted RTO from this history
    const dry = await rehearse(file, '--dry-run');
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/predicted RTO: [\d.]+m?s .*median of 1 earlier rehearsal/);
    expect(dry.stdout).toContain('✓ served');
    expect(await log()).toHaveLength(6);
  });

  it('minInterval: cron\'s next run is SKIPPED with exit 5, recorded with its reason, and changes nothing', async () => {
    const file = await writeRunbook({ schedule: 'schedule: { minInterval: 1h }' });
    expect((await rehearse(file, '--yes')).exitCode).toBe(0);
    const again = await rehearse(file, '--yes');
    expect(again.exitCode, again.stdout + again.stderr).toBe(5);
    expect(again.stdout).toMatch(/rehearsal SKIPPED/);
    expect(again.stdout).toMatch(/last rehearsal \d+s ago, minInterval 1h/);
    expect(await log()).toHaveLength(6);
    const { runs } = JSON.parse((await drctl(['history', '--json', '--state', state()])).stdout).result;
    expect(runs.map((h: { status: string; outcome: string }) => `${h.status}/${h.outcome}`)).toEqual(['skipped/SKIPPED', 'succeeded/SUCCEEDED']);
    // a dry run says it would be skipped, with the same code
    const dry = await rehearse(file, '--dry-run');
    expect(dry.exitCode).toBe(5);
    expect(dry.stdout).toContain('would be SKIPPED');
    // an SRE at the terminal may override the policy; the skipped record does not count as a rehearsal
    expect((await rehearse(file, '--yes', '--ignore-schedule')).exitCode).toBe(0);
  });

  it('a blackout date or a time outside the windows skips it (exit 5) before anything is touched', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const blackout = await writeRunbook({ schedule: `schedule: { timezone: UTC, blackouts: [{ date: "${today}", reason: freeze }] }` });
    const r = await rehearse(blackout, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toContain(`blackout ${today} (freeze)`);
    const hour = new Date().getUTCHours();
    const elsewhere = `${String((hour + 2) % 24).padStart(2, '0')}:00-${String((hour + 3) % 24 || 24).padStart(2, '0')}:00`;
    const outside = await writeRunbook({ schedule: `schedule: { timezone: UTC, windows: [{ hours: "${elsewhere}" }] }` });
    const o = await rehearse(outside, '--yes');
    expect(o.exitCode, o.stdout + o.stderr).toBe(5);
    expect(o.stdout).toContain('outside the allowed windows');
    expect(await log()).toEqual([]);
  });

  it('a stop condition breached mid-switch aborts: no new step starts, the fault is restored and what ran is failed back', async () => {
    const file = await writeRunbook({ drainSeconds: 3 });
    const child = spawnDrctl(['rehearse', file, '--yes', '--state', state()]);
    await waitFor(async () => (await log()).includes('drain'), 'the drain step to start');
    await writeFile(f('breach'), '');
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(1);
    expect(String(r.stdout)).toMatch(/rehearsal FAILED/);
    expect(String(r.stdout)).toContain('stop condition "no-breach" breached');
    // flip never started; drain (which finished) was undone after the restore
    expect(await log()).toEqual(['inject', 'drain', 'restore', 'undrain']);
    expect(existsSync(f('fault'))).toBe(false);
    expect(await active()).toBe('hz');
  });

  it('SIGTERM mid-rehearsal: INTERRUPTED (exit 130), yet the fault is restored and the switch failed back', async () => {
    const file = await writeRunbook({ drainSeconds: 2 });
    const child = spawnDrctl(['rehearse', file, '--yes', '--state', state()]);
    await waitFor(async () => (await log()).includes('drain'), 'the drain step to start');
    process.kill(child.pid ?? 0, 'SIGTERM'); // as cron's timeout or systemd would (execa's kill adds a SIGKILL)
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(130);
    expect(String(r.stdout)).toMatch(/rehearsal INTERRUPTED/);
    expect(await log()).toEqual(['inject', 'drain', 'restore', 'undrain']);
    expect(existsSync(f('fault'))).toBe(false);
    const rep = await report(runIdOf(String(r.stdout)));
    expect(rep.rehearsal.outcome).toBe('INTERRUPTED');
  });

  it('a rehearsal whose controller was SIGKILLed with the fault in place: resume refuses; rollback restores the fault, then fails back', async () => {
    const file = await writeRunbook({ drainSeconds: 1 });
    const child = spawnDrctl(['rehearse', file, '--yes', '--state', state()]);
    await waitFor(async () => (await log()).includes('drain'), 'the drain step to start');
    process.kill(child.pid ?? 0, 'SIGKILL');
    await child;
    await waitFor(() => existsSync(f('drained')), 'the orphaned drain command to finish');
    expect(existsSync(f('fault'))).toBe(true);
    const runId = JSON.parse((await drctl(['history', '--json', '--state', state()])).stdout).result.runs[0].runId;
    const resume = await drctl(['resume', runId, '--yes', '--state', state()]);
    expect(resume.exitCode).toBe(4);
    expect(resume.stderr).toContain('is a rehearsal');
    const back = await drctl(['rollback', runId, '--yes', '--state', state()]);
    expect(back.exitCode, back.stdout + back.stderr).toBe(0);
    expect(back.stderr).toContain('restore the fault (');
    expect(await log()).toEqual(['inject', 'drain', 'restore', 'undrain']);
    expect(existsSync(f('fault'))).toBe(false);
    // nothing left to do: a second rollback changes nothing
    const again = await drctl(['rollback', runId, '--yes', '--state', state()]);
    expect(again.exitCode).toBe(0);
    expect(await log()).toHaveLength(4);
  });

  it('an RTO over the runbook budget fails the rehearsal (exit 1), after restoring and failing back', async () => {
    const file = await writeRunbook({ budget: '300ms', drainSeconds: 1 });
    const r = await rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/rehearsal FAILED, RTO [\d.]+s \(budget 300ms, OVER\)/);
    expect(r.stdout).toMatch(/RTO [\d.]+s is over the budget of 300ms/);
    expect(await log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);
  });

  it('refuses without a fault section (exit 3) and without --yes off a terminal (exit 4), changing nothing', async () => {
    const file = await writeRunbook();
    const noYes = await rehearse(file);
    expect(noYes.exitCode).toBe(4);
    expect(noYes.stderr).toContain('without --yes');
    await writeFile(f('plain.yaml'), 'apiVersion: drctl/v1\nkind: Runbook\nmetadata: { name: plain }\nspec:\n  steps:\n    - { id: a, kind: wait, with: { duration: 1ms } }\n');
    const noFault = await rehearse(f('plain.yaml'), '--yes');
    expect(noFault.exitCode).toBe(3);
    expect(noFault.stderr).toContain('needs a spec.fault section');
    expect(await log()).toEqual([]);
  });
});
