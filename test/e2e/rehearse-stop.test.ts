import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { rehearsalEstate, runIdOf, stderrOf, type Estate } from './rehearse-kit.js';

// Interrupts (SIGINT, SIGTERM, SIGHUP, twice) and stop conditions, at every point of a rehearsal: before
// t0 nothing is injected; after it the fault is always restored and the switch failed back, and the
// record is finished and consistent. No timed asserts: where "promptly" matters, the step or wait that
// must be cut short is far longer than the test's own timeout.

let estate: Estate;
beforeEach(async () => {
  estate = await rehearsalEstate();
});
afterEach(async () => estate.cleanup());

/** The finished record: outcome, the run's status, reasons that are all strings, a run.finished record. */
async function expectFinished(runId: string, outcome: string, status: string): Promise<{ reasons: string[] }> {
  const rep = await estate.report(runId);
  expect(rep.run.status).toBe(status);
  expect(rep.rehearsal.outcome).toBe(outcome);
  for (const reason of rep.rehearsal.reasons) expect(typeof reason).toBe('string');
  const types = (await estate.journal(runId)).map((e) => e.type);
  expect(types.slice(-2)).toEqual(['rehearsal.finished', 'run.finished']);
  return rep.rehearsal;
}

describe('drctl rehearse: interrupts', () => {
  it('SIGINT during the steady state before the fault: INTERRUPTED (130), nothing injected', async () => {
    const file = await estate.writeRunbook({ slowSteadySeconds: 600 });
    const child = estate.start(file);
    await estate.waitLog('steady');
    process.kill(child.pid ?? 0, 'SIGINT');
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(130);
    expect(String(r.stdout)).toMatch(/rehearsal INTERRUPTED/);
    expect(await estate.log()).toEqual(['steady']);
    expect(estate.faultInPlace()).toBe(false);
    const { reasons } = await expectFinished(runIdOf(r.stdout), 'INTERRUPTED', 'interrupted');
    expect(reasons).toEqual(['interrupted (SIGINT) before the fault: nothing was changed']);
    expect((await estate.journal(runIdOf(r.stdout))).map((e) => e.type)).not.toContain('fault.intent');
  });

  it('SIGTERM while the fault is being injected: the inject is cut short, the fault restored, nothing switched (130)', async () => {
    const file = await estate.writeRunbook({ inject: `touch ${estate.dir}/fault; echo inject >> ${estate.dir}/log; sleep 600` });
    const child = estate.start(file);
    await estate.waitLog('inject');
    process.kill(child.pid ?? 0, 'SIGTERM');
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(130);
    expect(await estate.log()).toEqual(['inject', 'restore']);
    expect(estate.faultInPlace()).toBe(false);
    expect(await estate.active()).toBe('hz');
    const rep = await expectFinished(runIdOf(r.stdout), 'INTERRUPTED', 'interrupted');
    expect(rep.reasons).toContain('interrupted (SIGTERM) while the fault was being injected');
  });

  it('SIGTERM mid-switch: INTERRUPTED (exit 130); the running step finishes, the fault is restored and the switch failed back', async () => {
    const file = await estate.writeRunbook({ drainSeconds: 2 });
    const child = estate.start(file);
    await estate.waitLog('drain');
    process.kill(child.pid ?? 0, 'SIGTERM'); // as cron's timeout or systemd would (execa's kill adds a SIGKILL)
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(130);
    expect(String(r.stdout)).toMatch(/rehearsal INTERRUPTED/);
    expect(await estate.log()).toEqual(['inject', 'drain', 'restore', 'undrain']);
    expect(estate.faultInPlace()).toBe(false);
    await expectFinished(runIdOf(r.stdout), 'INTERRUPTED', 'interrupted');
  });

  it('a second signal cancels the running step; restore, fail-back and the last steady-state check still run: 130, a finished record', async () => {
    const file = await estate.writeRunbook({ drainSeconds: 600 });
    const child = estate.start(file);
    const stderr = stderrOf(child);
    await estate.waitLog('drain');
    process.kill(child.pid ?? 0, 'SIGTERM');
    await waitFor(() => stderr().includes('no new step will start'), 'the first signal to be handled');
    process.kill(child.pid ?? 0, 'SIGINT');
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(130);
    expect(String(r.stderr)).not.toContain('internal error');
    // drain was cancelled before it drained anything: nothing of it to undo
    expect(await estate.log()).toEqual(['inject', 'drain', 'restore']);
    expect(estate.faultInPlace()).toBe(false);
    expect(existsSync(estate.f('drained'))).toBe(false);
    const runId = runIdOf(r.stdout);
    await expectFinished(runId, 'INTERRUPTED', 'interrupted');
    const rep = await estate.report(runId);
    expect(rep.steps.find((s: { id: string }) => s.id === 'drain').status).toBe('cancelled');
    expect(rep.rehearsal.restoreOk).toBe(true);
    expect(rep.checks.filter((c: { phase?: string }) => c.phase === 'after fail-back').map((c: { ok: boolean }) => c.ok)).toEqual([true]);
  });

  it('SIGHUP (the terminal closed) counts like SIGTERM: 130, the fault restored, the switch failed back', async () => {
    const file = await estate.writeRunbook({ drainSeconds: 2 });
    const child = estate.start(file);
    await estate.waitLog('drain');
    process.kill(child.pid ?? 0, 'SIGHUP');
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(130);
    expect(await estate.log()).toEqual(['inject', 'drain', 'restore', 'undrain']);
    expect(estate.faultInPlace()).toBe(false);
    await expectFinished(runIdOf(r.stdout), 'INTERRUPTED', 'interrupted');
  });
});

describe('drctl rehearse: stop conditions', () => {
  it('one already breached: nothing is injected (exit 1)', async () => {
    await writeFile(estate.f('breach'), '');
    const file = await estate.writeRunbook();
    const r = await estate.rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('stop condition "no-breach" already breached before the fault: nothing was changed');
    expect(await estate.log()).toEqual([]);
    expect(estate.faultInPlace()).toBe(false);
    await expectFinished(runIdOf(r.stdout), 'FAILED', 'failed');
  });

  it('breached mid-step: the running step is cancelled at once, no new step starts, the fault is restored', async () => {
    const file = await estate.writeRunbook({ drainSeconds: 600 });
    const child = estate.start(file);
    await estate.waitLog('drain');
    await writeFile(estate.f('breach'), '');
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(1);
    expect(String(r.stdout)).toMatch(/rehearsal FAILED/);
    expect(String(r.stdout)).toContain('stop condition "no-breach" breached');
    // flip never started; drain was cancelled before it drained anything
    expect(await estate.log()).toEqual(['inject', 'drain', 'restore']);
    expect(estate.faultInPlace()).toBe(false);
    expect(await estate.active()).toBe('hz');
    const runId = runIdOf(r.stdout);
    await expectFinished(runId, 'FAILED', 'failed');
    const rep = await estate.report(runId);
    expect(rep.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['drain:cancelled', 'flip:cancelled']);
  });

  it('breached while waiting for steady state to return: the wait ends at once, the fault is restored and the switch failed back', async () => {
    // steady state cannot return while the fault is in place: the wait would last recoverTimeout (10m)
    const file = await estate.writeRunbook({ steady: `! [ -e ${estate.dir}/fault ]`, recoverTimeout: '10m' });
    const child = estate.start(file);
    await estate.waitLog('flip');
    await writeFile(estate.f('breach'), '');
    const r = await child;
    expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(1);
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);
    expect(estate.faultInPlace()).toBe(false);
    const runId = runIdOf(r.stdout);
    const { reasons } = await expectFinished(runId, 'FAILED', 'failed');
    expect(reasons).toEqual([expect.stringMatching(/^stop condition "no-breach" breached: failed: /)]);
    const types = (await estate.journal(runId)).map((e) => e.type);
    expect(types.indexOf('stop.breached')).toBeLessThan(types.indexOf('fault.restored'));
    const rep = await estate.report(runId);
    expect(rep.checks.filter((c: { phase?: string }) => c.phase === 'recovered')).toEqual([]); // cut short, not timed out
  });
});
