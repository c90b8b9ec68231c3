import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockHeld } from '../../src/util/errors.js';
import { drctl } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { rehearsalEstate, runIdOf, stderrOf, type Estate } from './rehearse-kit.js';

// The fault's own life through the CLI: what t0 is, that a fault is always taken back (also one that
// cannot observe itself), that one that cannot be taken back is refused, and that a skip is a skip
// even while another run holds the lock.

let estate: Estate;
beforeEach(async () => {
  estate = await rehearsalEstate();
});
afterEach(async () => estate.cleanup());

const ms = (iso: string): number => Date.parse(iso);

describe('drctl rehearse: the fault', () => {
  it("t0 is the cut (the fault's apply starts) everywhere; detection probes run from t0, while the fault is still being applied", async () => {
    // the apply only returns once the detection probe has seen the fault: a detection that waited for
    // the inject to finish would never see it, and the inject would time out
    const d = estate.dir;
    const file = await estate.writeRunbook({
      inject: `touch ${d}/fault; echo inject >> ${d}/log; until [ -e ${d}/seen ]; do sleep 0.02; done`,
      detect: `[ -e ${d}/fault ] && touch ${d}/seen`,
      faultTimeout: '60s',
    });
    const r = await estate.rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const runId = runIdOf(r.stdout);
    const journal = await estate.journal(runId);
    const intent = journal.find((e) => e.type === 'fault.intent');
    const detected = journal.find((e) => e.type === 'fault.detected');
    const rep = await estate.report(runId);
    const h = rep.rehearsal;
    // the report's t0 is the journaled intent, and every mark agrees with the RTO measured from it
    expect(h.t0).toBe(intent?.at);
    expect(Math.abs(ms(h.detectedAt) - ms(h.t0) - h.rto.detectionMs)).toBeLessThanOrEqual(2);
    expect(Math.abs(ms(h.recoveredAt) - ms(h.t0) - h.rto.totalMs)).toBeLessThanOrEqual(2);
    expect(Math.abs((detected?.afterMs as number) - h.rto.detectionMs)).toBeLessThanOrEqual(1);
    expect(h.injectedAt).toEqual(expect.any(String));
    const html = String(await estate.report(runId, 'html'));
    expect(html).toContain('id="mark-fault"');
    expect(html).toContain('id="outage-window"');
  });

  it('an injection that fails after its intent: the fault is still restored and the report still marks t0', async () => {
    const d = estate.dir;
    const file = await estate.writeRunbook({ inject: `touch ${d}/fault; echo inject >> ${d}/log; exit 3` });
    const r = await estate.rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/reason: injecting the fault failed: apply: .* exited with code 3/);
    expect(await estate.log()).toEqual(['inject', 'restore']);
    expect(estate.faultInPlace()).toBe(false);
    const runId = runIdOf(r.stdout);
    const h = (await estate.report(runId)).rehearsal;
    expect(h).toMatchObject({ outcome: 'FAILED', t0: expect.any(String), fault: expect.stringContaining('touch'), restoreOk: true });
    expect(h.injectedAt).toBeUndefined();
    expect(String(await estate.report(runId, 'md'))).toContain('the fault was never verified in place');
    expect(String(await estate.report(runId, 'html'))).toContain('id="mark-fault"');
  });

  it('an exec fault without observe is restored (its rollback always runs) and reported restored', async () => {
    const file = await estate.writeRunbook({ faultObserve: false });
    const r = await estate.rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);
    expect(estate.faultInPlace()).toBe(false);
    expect(r.stderr).toContain(`fault restored: undo: run sh -c rm -f ${estate.dir}/fault; echo restore`);
    const h = (await estate.report(runIdOf(r.stdout))).rehearsal;
    expect(h.restoreOk).toBe(true);
  });

  it('a fault that cannot be undone (an exec fault without rollback) is invalid: validate names file:line:column, rehearse refuses (exit 3)', async () => {
    const file = await estate.writeRunbook({ faultRollback: false });
    const text = await readFile(file, 'utf8');
    const withLine = text.split('\n').indexOf('    with:') + 2; // the fault's `with:` mapping starts on the next line
    const v = await drctl(['validate', file]);
    expect(v.exitCode, v.stdout + v.stderr).toBe(3);
    expect(v.stderr).toContain(`${file}:${withLine}:7`);
    expect(v.stderr).toContain('the fault (exec) cannot be restored');
    expect(v.stderr).toContain('add `rollback:`');
    expect(v.stderr).not.toMatch(/\n\s+at /); // no stack
    for (const args of [['--yes'], ['--dry-run']]) {
      const r = await estate.rehearse(file, ...args);
      expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    }
    expect(await estate.log()).toEqual([]);
    expect(await estate.runIds()).toEqual([]);
  });

  it('a run the schedule skips is SKIPPED (5) and recorded even while another run holds the lock; one it allows is refused by the lock', async () => {
    const file = await estate.writeRunbook({ drainSeconds: 600, schedule: 'schedule: { minInterval: 1h }' });
    const holder = estate.start(file);
    await estate.waitLog('drain');
    // minInterval counts the running rehearsal: skipped, not "refused"
    const skipped = await estate.rehearse(file, '--yes');
    expect(skipped.exitCode, skipped.stdout + skipped.stderr).toBe(5);
    expect(skipped.stdout).toMatch(/rehearsal SKIPPED/);
    expect(skipped.stdout).toMatch(/last rehearsal \d+s ago, minInterval 1h/);
    const rep = await estate.report(runIdOf(skipped.stdout));
    expect(rep.run.status).toBe('skipped');
    expect(rep.rehearsal.outcome).toBe('SKIPPED');
    // --ignore-schedule: it would run, so the lock decides (the holder is named)
    const refused = await estate.rehearse(file, '--yes', '--ignore-schedule');
    expect(refused.exitCode, refused.stdout + refused.stderr).toBe(lockHeld('').exitCode);
    expect(refused.stderr).toMatch(/run \S+ \(rehearse\)/);
    expect(await estate.log()).toEqual(['inject', 'drain']);
    // two signals: the first stops new steps, the second cancels the 600s drain
    const holderErr = stderrOf(holder);
    process.kill(holder.pid ?? 0, 'SIGTERM');
    await waitFor(() => holderErr().includes('no new step will start'), 'the holder to handle SIGTERM');
    process.kill(holder.pid ?? 0, 'SIGTERM');
    expect((await holder).exitCode).toBe(130);
    expect(estate.faultInPlace()).toBe(false);
  });
});
