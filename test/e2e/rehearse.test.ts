import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drctl } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { rehearsalEstate, runIdOf, type Estate } from './rehearse-kit.js';

// drctl rehearse as cron runs it, on an estate of local files (rehearse-kit.ts). Interrupts and stop
// conditions: rehearse-stop.test.ts; the fault's own life (t0, restore, refusals): rehearse-fault.test.ts;
// the lab's real network cut: lab-rehearse.test.ts.

let estate: Estate;
beforeEach(async () => {
  estate = await rehearsalEstate();
});
afterEach(async () => estate.cleanup());

describe('drctl rehearse', () => {
  it('injects, detects, switches, measures the RTO, restores, fails back; the report and history carry the outcome and RTO', async () => {
    const file = await estate.writeRunbook();
    const r = await estate.rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rehearsal SUCCEEDED, RTO \d/);
    expect(r.stdout).toMatch(/= .* detection \+ .* switch \(.*flip.*\) \+ .* convergence/);
    // the restore line says what the restore did, not what the inject did
    expect(r.stderr).toContain(`fault restored: undo: run sh -c rm -f ${estate.dir}/fault; echo restore`);
    // every change made once, undone once, in order: restore before fail back
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);
    expect(estate.faultInPlace()).toBe(false);
    expect(await estate.active()).toBe('hz');

    const runId = runIdOf(r.stdout);
    const rep = await estate.report(runId);
    expect(rep.rehearsal.outcome).toBe('SUCCEEDED');
    const rto = rep.rehearsal.rto;
    expect(rto.totalMs).toBeGreaterThan(0);
    // the breakdown adds up to the RTO (each mark rounded once, as an offset from t0)
    expect(rto.detectionMs + rto.switchMs + rto.convergenceMs).toBe(rto.totalMs);
    expect(Object.keys(rto.steps).sort()).toEqual(['drain', 'flip']);
    expect(rep.rehearsal.reasons).toEqual([]);

    // the same probe, checked before the fault, once recovered and after fail-back: three phases, told apart
    const steady = rep.checks.filter((c: { group: string }) => c.group === 'steadyState').map((c: { phase: string }) => c.phase);
    expect(steady).toEqual(['before the fault', 'recovered', 'after fail-back']);
    const junit = String(await estate.report(runId, 'junit'));
    const names = [...junit.matchAll(/classname="drctl\.rehearse\.files-cut\.steadyState" name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['served (before the fault)', 'served (recovered)', 'served (after fail-back)']);
    expect(junit).toMatch(/classname="drctl\.rehearse\.files-cut\.stopConditions" name="no-breach \(before the fault\)"/);
    const md = String(await estate.report(runId, 'md'));
    expect(md).toContain('SUCCEEDED');
    expect(md).toContain('| steadyState (recovered) | served | passed |');

    // dry-run: read-only, with a predicted RTO from this history
    const dry = await estate.rehearse(file, '--dry-run');
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/predicted RTO: [\d.]+m?s .*median of 1 earlier rehearsal/);
    expect(dry.stdout).toContain('✓ served');
    expect(dry.stdout).toContain('✓ no-breach');
    expect(await estate.log()).toHaveLength(6);
  });

  it("minInterval: cron's next run is SKIPPED with exit 5, recorded with its reason, and changes nothing", async () => {
    const file = await estate.writeRunbook({ schedule: 'schedule: { minInterval: 1h }' });
    expect((await estate.rehearse(file, '--yes')).exitCode).toBe(0);
    const again = await estate.rehearse(file, '--yes');
    expect(again.exitCode, again.stdout + again.stderr).toBe(5);
    expect(again.stdout).toMatch(/rehearsal SKIPPED/);
    expect(again.stdout).not.toContain('critical path'); // no step ran
    expect(again.stdout).toMatch(/last rehearsal \d+s ago, minInterval 1h/);
    expect(await estate.log()).toHaveLength(6);
    const { runs } = JSON.parse((await drctl(['history', '--json', '--state', estate.state])).stdout).result;
    expect(runs.map((h: { status: string; outcome: string }) => `${h.status}/${h.outcome}`)).toEqual([
      'skipped/SKIPPED',
      'succeeded/SUCCEEDED',
    ]);
    const skipped = await estate.report(runIdOf(again.stdout));
    expect(skipped.rehearsal).toMatchObject({ outcome: 'SKIPPED', skippedReason: expect.stringContaining('minInterval 1h') });
    // a dry run says it would be skipped, with the same code
    const dry = await estate.rehearse(file, '--dry-run');
    expect(dry.exitCode).toBe(5);
    expect(dry.stdout).toContain('would be SKIPPED');
    // an SRE at the terminal may override the policy; the skipped record does not count as a rehearsal
    expect((await estate.rehearse(file, '--yes', '--ignore-schedule')).exitCode).toBe(0);
  });

  it('a blackout date or a time outside the windows skips it (exit 5) before anything is touched', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const blackout = await estate.writeRunbook({
      schedule: `schedule: { timezone: UTC, blackouts: [{ date: "${today}", reason: freeze }] }`,
    });
    const r = await estate.rehearse(blackout, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toContain(`blackout ${today} (freeze)`);
    const hour = new Date().getUTCHours();
    const elsewhere = `${String((hour + 2) % 24).padStart(2, '0')}:00-${String((hour + 3) % 24 || 24).padStart(2, '0')}:00`;
    const outside = await estate.writeRunbook({ schedule: `schedule: { timezone: UTC, windows: [{ hours: "${elsewhere}" }] }` });
    const o = await estate.rehearse(outside, '--yes');
    expect(o.exitCode, o.stdout + o.stderr).toBe(5);
    expect(o.stdout).toContain('outside the allowed windows');
    expect(await estate.log()).toEqual([]);
  });

  it('a rehearsal whose controller was SIGKILLed with the fault in place: resume refuses; rollback restores the fault, then fails back', async () => {
    const file = await estate.writeRunbook({ drainSeconds: 1 });
    const child = estate.start(file);
    await estate.waitLog('drain');
    process.kill(child.pid ?? 0, 'SIGKILL');
    await child;
    await waitFor(() => existsSync(estate.f('drained')), 'the orphaned drain command to finish');
    expect(estate.faultInPlace()).toBe(true);
    const runId = await estate.latestRunId();
    const resume = await drctl(['resume', runId, '--yes', '--state', estate.state]);
    expect(resume.exitCode).toBe(4);
    expect(resume.stderr).toContain('is a rehearsal');
    // status names the run as needing rollback, with the fault it left in place (text and --json)
    const status = await drctl(['status', '--state', estate.state]);
    expect(status.stdout).toContain(`${runId} (rehearse of `);
    expect(status.stdout).toContain(`NEEDS ROLLBACK (its controller stopped mid-rehearsal): \`drctl rollback ${runId}\``);
    expect(status.stdout).toMatch(/\n {2}FAULT LEFT IN PLACE: \S/);
    const statusJson = JSON.parse((await drctl(['status', '--json', '--state', estate.state])).stdout);
    expect(statusJson.result.runs).toMatchObject([{ runId, needsRollback: true, faultLeft: expect.any(String) }]);
    const back = await drctl(['rollback', runId, '--yes', '--state', estate.state]);
    expect(back.exitCode, back.stdout + back.stderr).toBe(0);
    expect(back.stderr).toContain('restore the fault (');
    expect(await estate.log()).toEqual(['inject', 'drain', 'restore', 'undrain']);
    expect(estate.faultInPlace()).toBe(false);
    // its own summary (not the run's table of steps never run), and a record that says what was restored
    expect(back.stdout).toMatch(
      new RegExp(
        `^rollback of run ${runId} \\(rehearse of \\S+\\) succeeded in \\S+: every step back to the baseline observed before the fault$`,
        'm',
      ),
    );
    expect(back.stdout).toMatch(/^ {2}fault restored: /m);
    expect(back.stdout).not.toMatch(/waiting/);
    const record = JSON.parse((await drctl(['report', runId, '--format', 'json', '--state', estate.state])).stdout).result.run;
    expect(record.rolledBack).toMatchObject({ ok: true, to: 'baseline', fault: { restored: true } });
    expect(record.rolledBack.restored).toContain('drain');
    expect(record.status).toBe('interrupted');
    expect(record.rehearsal.outcome).toBe('INTERRUPTED');
    expect((await drctl(['status', '--state', estate.state])).stdout).not.toContain(runId);
    // nothing left to do: a second rollback changes nothing
    const again = await drctl(['rollback', runId, '--yes', '--state', estate.state]);
    expect(again.exitCode).toBe(0);
    expect(await estate.log()).toHaveLength(4);
  });

  it('an RTO over the runbook budget fails the rehearsal (exit 1), after restoring and failing back', async () => {
    const file = await estate.writeRunbook({ budget: '300ms', drainSeconds: 1 });
    const r = await estate.rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/rehearsal FAILED, RTO [\d.]+s \(budget 300ms, OVER\)/);
    expect(r.stdout).toMatch(/RTO [\d.]+s is over the budget of 300ms/);
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);
  });

  it('refuses without a fault section (exit 3) and without --yes off a terminal (exit 4), changing nothing', async () => {
    const file = await estate.writeRunbook();
    const noYes = await estate.rehearse(file);
    expect(noYes.exitCode).toBe(4);
    expect(noYes.stderr).toContain('without --yes');
    await writeFile(
      estate.f('plain.yaml'),
      'apiVersion: drctl/v1\nkind: Runbook\nmetadata: { name: plain }\nspec:\n  steps:\n    - { id: a, kind: wait, with: { duration: 1ms } }\n',
    );
    const noFault = await estate.rehearse(estate.f('plain.yaml'), '--yes');
    expect(noFault.exitCode).toBe(3);
    expect(noFault.stderr).toContain('needs a spec.fault section');
    expect(await estate.log()).toEqual([]);
  });
});
