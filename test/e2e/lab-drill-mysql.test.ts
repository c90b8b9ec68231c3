import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME, startPrivateLab, SWITCHED_MYSQL, type PrivateLab } from '../helpers/private-lab.js';

// The MariaDB + Nginx variant of the lab city cut through the CLI, on a private lab on free ports (its
// folder unreachable by the mysql user, as a clone under /root: MariaDB's data is in a private folder under /tmp).
let lab: PrivateLab;
const book = () => lab.book('city-cut-mysql.yaml');
const cli = (args: string[]) => lab.cli([...args, '--set', `labDir=${lab.labDir}`]);

beforeAll(async () => {
  lab = await startPrivateLab('drctl-lab-mysql-e2e-', { openParent: false });
});
afterAll(async () => lab?.down());

describe('city-cut-mysql.yaml on real MariaDB and Nginx (with Redis/Sentinel, the rules, BIND9)', () => {
  it('plan observes every stage and changes nothing', async () => {
    const plan = await cli(['plan', book()]);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(
      /\+ db-election +mysql\.primary +mysql primary mariadb-hz-a \(hz-a\) \(mariadb-sh-a 0 transactions behind\) → mariadb-sh-a \(sh-a\)/,
    );
    expect(plan.stdout).toMatch(
      /\+ lb +nginx\.upstream +nginx app: 127\.0\.0\.1:\d+=up 127\.0\.0\.1:\d+=up 127\.0\.0\.1:\d+=down 127\.0\.0\.1:\d+=down → 127\.0\.0\.1:\d+=down 127\.0\.0\.1:\d+=down 127\.0\.0\.1:\d+=up 127\.0\.0\.1:\d+=up/,
    );
    expect(await lab.status()).toEqual(HOME);
  });

  it('drill switches, verifies, fails back, and plans back to pending', async () => {
    const drill = await cli(['drill', book(), '--yes']);
    expect(drill.exitCode, drill.stdout + drill.stderr).toBe(0);
    expect(drill.stdout).toContain('switch: succeeded, fail-back: succeeded');
    expect(await lab.status()).toEqual(HOME);
    const runId = /\(run ([^)]+)\)/.exec(drill.stdout)?.[1] ?? '';
    const report = JSON.parse((await lab.cli(['report', runId, '--format', 'json'])).stdout).result;
    const step = (id: string) => report.steps.find((s: { id: string }) => s.id === id);
    expect(step('db-election')).toMatchObject({ status: 'applied', rollback: { status: 'rolled-back' } });
    expect(step('db-election').notes).toMatchObject({
      lagTransactions: 0,
      electionMs: expect.any(Number),
      writesBlockedMs: expect.any(Number),
    });
    expect(step('lb')).toMatchObject({ status: 'applied', rollback: { status: 'rolled-back' } });
    const again = await cli(['plan', book()]);
    expect(again.exitCode, again.stdout).toBe(2);
  });

  it('run switches MariaDB and Nginx to Shanghai; a second run changes nothing; rollback brings them home', async () => {
    const run = await cli(['run', book(), '--yes']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(await lab.status()).toEqual(SWITCHED_MYSQL);
    const plan = await cli(['plan', book()]);
    expect(plan.exitCode, plan.stdout).toBe(0);
    const second = await cli(['run', book(), '--yes']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^ +db-election +skipped/m);
    expect(second.stdout).toMatch(/^ +lb +skipped/m);
    const runId = /\(run ([^)]+)\)/.exec(run.stdout)?.[1] ?? '';
    const back = await lab.cli(['rollback', runId, '--yes']);
    expect(back.exitCode, back.stdout + back.stderr).toBe(0);
    expect(await lab.status()).toEqual(HOME);
  });
});
