import { rm, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drctl } from '../helpers/cli.js';
import { rehearsalEstate, runIdOf, type Estate } from './rehearse-kit.js';

// The safety lever and the pause after a failed rehearsal, through the CLI as cron and an SRE use them,
// on the rehearsal estate of local files (every change the commands make is logged: "nothing happened"
// is the log staying empty, never a sleep).
let estate: Estate;
beforeEach(async () => {
  estate = await rehearsalEstate();
});
afterEach(async () => estate.cleanup());

const lever = (...args: string[]) => drctl(['lever', ...args, '--state', estate.state]);

describe('drctl lever', () => {
  it('engaged: rehearse and drill refuse to start (exit 5, recorded SKIPPED with the reason, --ignore-schedule too); run goes ahead and says so', async () => {
    const file = await estate.writeRunbook();
    expect((await lever('engage')).exitCode).toBe(3); // no --reason
    const on = await lever('engage', '--reason', 'storage maintenance in sh-b');
    expect(on.exitCode, on.stderr).toBe(0);
    expect(on.stdout).toContain('safety lever ENGAGED');
    const status = JSON.parse((await drctl(['--json', 'lever', 'status', '--state', estate.state])).stdout).result;
    expect(status).toMatchObject({ engaged: true, reason: 'storage maintenance in sh-b' });

    const r = await estate.rehearse(file, '--yes', '--ignore-schedule');
    expect(r.exitCode, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toContain('rehearsal SKIPPED');
    expect(r.stdout).toMatch(/safety lever engaged by \S+ since \S+: storage maintenance in sh-b/);
    const dry = await estate.rehearse(file, '--dry-run');
    expect(dry.exitCode).toBe(5);
    expect(dry.stdout).toContain('storage maintenance in sh-b');
    const drill = await drctl(['drill', file, '--yes', '--state', estate.state]);
    expect(drill.exitCode, drill.stdout + drill.stderr).toBe(5);
    expect(drill.stdout).toContain('skipped: safety lever engaged');
    expect(await estate.log()).toEqual([]); // neither touched anything

    const { runs } = JSON.parse((await drctl(['history', '--json', '--state', estate.state])).stdout).result;
    expect(runs.map((x: { mode: string; status: string }) => `${x.mode}:${x.status}`)).toEqual(['drill:skipped', 'rehearse:skipped']);

    const run = await drctl(['run', file, '--yes', '--state', estate.state]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: the safety lever engaged by .*: storage maintenance in sh-b; this run goes ahead/);
    expect(await estate.log()).toEqual(['drain', 'flip']);

    const off = await lever('release');
    expect(off.stdout).toContain('safety lever released');
    expect((await lever('status')).stdout).toMatch(/^safety lever: released by \S+ at \S+ \(last engaged by/);
    expect((await estate.rehearse(file, '--dry-run')).stdout).toContain('schedule: allowed now');
  });

  it('engaged mid-switch: the rehearsal aborts like a breached stop condition (step cancelled, fault restored, FAILED) and does not pause the schedule', async () => {
    // the drain step would take 10 minutes: only the lever can end this rehearsal within the test's time
    const file = await estate.writeRunbook({ drainSeconds: 600 });
    const child = estate.start(file);
    await estate.waitLog('drain');
    expect((await lever('engage', '--reason', 'a real incident in hz-b')).exitCode).toBe(0);
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(1);
    expect(String(r.stdout)).toMatch(/rehearsal FAILED/);
    expect(String(r.stdout)).toContain('safety lever engaged by');
    expect(await estate.log()).toEqual(['inject', 'drain', 'restore']);
    expect(estate.faultInPlace()).toBe(false);
    expect(await estate.active()).toBe('hz');
    const runId = runIdOf(r.stdout);
    const journal = await estate.journal(runId);
    const breached = journal.find((e) => e.type === 'stop.breached');
    expect(breached).toMatchObject({ name: 'safety lever' });
    expect(String(breached?.detail)).toContain('a real incident in hz-b');
    // how long it took to notice, from the lever's record to the breach (reported, not asserted: bench/ and the notes)
    const since = Date.parse(JSON.parse((await lever('status', '--json')).stdout || '{}').result?.since ?? '');
    if (!Number.isNaN(since)) process.stderr.write(`lever noticed ${Date.parse(String(breached?.at)) - since} ms after it was engaged\n`);
    // the lever is the operator's hold: released, rehearsals start again (no acknowledgement needed)
    await lever('release');
    expect(String(r.stderr)).not.toContain('paused');
    expect((await estate.rehearse(file, '--dry-run')).stdout).toContain('schedule: allowed now');
  });
});

describe('cut short before the switch', () => {
  it('the estate acted on the cut by itself (the side flipped) and the lever stops the rehearsal during detection: restored, and what moved goes back', async () => {
    // the fault also flips the active side (as Sentinel elects new masters by itself); nothing ever detects it
    const file = await estate.writeRunbook({
      inject: `touch ${estate.f('fault')}; echo sh > ${estate.f('active')}; echo inject >> ${estate.f('log')}`,
      detect: 'false',
    });
    const child = estate.start(file);
    await estate.waitLog('inject');
    expect((await lever('engage', '--reason', 'stop it')).exitCode).toBe(0);
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(1);
    // flip is put back (it had moved), drain is not touched (it had not)
    expect(await estate.log()).toEqual(['inject', 'restore', 'unflip']);
    expect(await estate.active()).toBe('hz');
    expect(estate.faultInPlace()).toBe(false);
  });
});

describe('a failed rehearsal pauses its schedule until acknowledged', () => {
  it('cron then gets exit 5 "paused after failed rehearsal RUN_ID" (--ignore-schedule too); --ack with that run resumes it', async () => {
    const file = await estate.writeRunbook();
    await writeFile(estate.f('breach'), ''); // a stop condition already breached: FAILED, nothing injected
    const failed = await estate.rehearse(file, '--yes');
    expect(failed.exitCode, failed.stdout + failed.stderr).toBe(1);
    const runId = runIdOf(failed.stdout);
    expect(failed.stderr).toContain(`paused after this failed rehearsal`);
    expect(failed.stderr).toContain(`--ack ${runId}`);
    await rm(estate.f('breach'));

    for (const args of [['--yes'], ['--yes', '--ignore-schedule']]) {
      const cron = await estate.rehearse(file, ...args);
      expect(cron.exitCode, cron.stdout + cron.stderr).toBe(5);
      expect(cron.stdout).toContain(`paused after failed rehearsal ${runId}`);
    }
    expect(await estate.log()).toEqual([]);

    const wrong = await estate.rehearse(file, '--ack', '20261121T020000Z-files-cut-ffff');
    expect(wrong.exitCode).toBe(3);
    expect(wrong.stderr).toContain(`paused after failed rehearsal ${runId}, not 20261121T020000Z-files-cut-ffff`);
    const ack = await estate.rehearse(file, '--ack', runId);
    expect(ack.exitCode, ack.stdout + ack.stderr).toBe(0);
    expect(ack.stdout).toContain(`acknowledged failed rehearsal ${runId}`);
    expect(await estate.log()).toEqual([]); // --ack rehearses nothing

    const next = await estate.rehearse(file, '--yes');
    expect(next.exitCode, next.stdout + next.stderr).toBe(0);
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);
  });
});
