import { writeFile, readFile, rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drctl } from '../helpers/cli.js';
import { rehearsalEstate, type Estate } from './rehearse-kit.js';

// A rollback that could not get everything back (an undo failed) is not the end of the story: status keeps
// the run on its list with what is left, and a later `drctl rollback`, after the cause was fixed by hand,
// finishes it — and the run's record is then the union of both attempts (what either restored), with the
// latest outcome.
let estate: Estate;
beforeEach(async () => {
  estate = await rehearsalEstate();
});
afterEach(async () => estate.cleanup());

describe('drctl rollback, incomplete then retried', () => {
  it('status shows the incomplete rollback with what is left; the second rollback completes and the record keeps both attempts', async () => {
    // the steady state never returns (the controller is killed while waiting for it); drain's undo fails while "block" exists
    const file = await estate.writeRunbook({ steady: `! [ -e ${estate.dir}/fault ] || [ -e ${estate.dir}/never ]`, recoverTimeout: '60s' });
    const text = (await readFile(file, 'utf8')).replace(
      `"rm -f ${estate.dir}/drained;`,
      `"test ! -e ${estate.dir}/block || { echo blocked >&2; exit 1; }; rm -f ${estate.dir}/drained;`,
    );
    expect(text).toContain('/block');
    await writeFile(file, text);
    const child = estate.start(file);
    await estate.waitLog('flip');
    process.kill(child.pid ?? 0, 'SIGKILL');
    await child;
    const runId = await estate.latestRunId();
    await writeFile(estate.f('block'), '');

    const first = await drctl(['rollback', runId, '--yes', '--state', estate.state]);
    expect(first.exitCode, first.stdout + first.stderr).toBe(1);
    expect(first.stdout).toMatch(/NOT rolled back.*drain/s);
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip']);
    expect(first.stdout + first.stderr).toMatch(/■ rollback incomplete in /);
    // the killed rehearsal stays interrupted (its rollback's outcome is in rolledBack), as one whose rollback succeeded
    expect((await estate.report(runId)).run.status).toBe('interrupted');

    // status keeps the run, says the rollback is incomplete and what is left (text and --json)
    const status = await drctl(['status', '--state', estate.state]);
    expect(status.stdout).not.toContain('no run in progress');
    expect(status.stdout).toContain(`${runId} (rehearse of files-cut)`);
    expect(status.stdout).toMatch(/ROLLBACK INCOMPLETE at \S+, NEEDS ROLLBACK: `drctl rollback \S+` retries what is left/);
    expect(status.stdout).toMatch(/^ {2}NOT rolled back: drain: .*blocked/m);
    const json = JSON.parse((await drctl(['status', '--json', '--state', estate.state])).stdout).result;
    expect(json.runs).toMatchObject([
      { runId, needsRollback: true, rollbackIncomplete: { failed: { drain: expect.stringContaining('blocked') }, notReached: [] } },
    ]);

    // fixed by hand: the second rollback finishes, and says nothing of the first attempt's failure
    await rm(estate.f('block'));
    const second = await drctl(['rollback', runId, '--yes', '--state', estate.state]);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).not.toContain('ROLLBACK INCOMPLETE');
    // the rollback's own line says what it did, never the run's status
    expect(second.stdout + second.stderr).toMatch(/■ rollback succeeded in /);
    expect(second.stdout + second.stderr).not.toMatch(/■ interrupted/);
    expect(second.stdout).toMatch(new RegExp(`^rollback of run ${runId} \\(rehearse of files-cut\\) succeeded in `, 'm'));
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip', 'restore', 'unflip', 'undrain']);

    // the record: what any attempt restored, the latest outcome
    const report = await estate.report(runId);
    expect(report.run.status).toBe('interrupted');
    expect(report.run.rolledBack).toMatchObject({ ok: true, failed: {}, notReached: [], fault: { restored: true } });
    expect([...report.run.rolledBack.restored].sort()).toEqual(['drain', 'flip']);
    expect(report.run.rolledBack.alreadyAsBefore).toEqual([]);
    expect(JSON.stringify(report.failures)).not.toContain('ROLLBACK INCOMPLETE');
    expect((await drctl(['status', '--state', estate.state])).stdout).not.toContain(runId);

    // the killed run's duration ends at its last journaled event (not 0, not "-"), in every report
    const journal = await estate.journal(runId);
    const killedAt = journal
      .filter((e) => e.type !== 'run.started' && !String(e.type).startsWith('rollback') && e.type !== 'lock.acquired')
      .map((e) => e.at);
    expect(report.run.durationMs).toBeGreaterThan(0);
    expect(Date.parse(report.run.endedAt) - Date.parse(report.run.startedAt)).toBe(report.run.durationMs);
    expect(Date.parse(report.run.endedAt)).toBeLessThan(Date.parse(report.run.rolledBack.at));
    expect(killedAt).toContain(report.run.endedAt);
    expect(await estate.report(runId, 'md')).not.toMatch(/duration[^\n]*\b0ms\b/i);
    expect(await estate.report(runId, 'junit')).not.toMatch(/<testsuite [^>]*time="0\.000"/);
    const history = await drctl(['history', '--state', estate.state]);
    expect(history.stdout).toMatch(new RegExp(`^${runId} +rehearse +interrupted +[\\d.]+m?s +- INTERRUPTED`, 'm'));
  });
});
