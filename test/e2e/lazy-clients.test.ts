import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

// Heavy clients are imported when a step needs them, never at start: --version and validate do not load mysql2.
const DENY = path.join(ROOT, 'test/fixtures/lazy/deny-mysql2.mjs');
const run = (args: string[]) =>
  execa('node', ['--import', DENY, BIN, ...args], {
    reject: false,
    cwd: ROOT,
    env: { NO_COLOR: '1', CI: 'true', DRCTL_LAB_MYSQL_PASSWORD: 'no-server-answers-here' },
  });

describe('lazy clients', () => {
  it('drctl --version and validate of a mysql.primary runbook never import mysql2', async () => {
    const version = await run(['--version']);
    expect(version.exitCode, version.stderr).toBe(0);
    const validate = await run(['validate', 'runbooks/lab/city-cut-mysql.yaml']);
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('city-cut-mysql.yaml: valid (8 steps)');
  });

  it('the guard works: a plan of that runbook does import mysql2, and fails under it', async () => {
    const plan = await run(['plan', 'runbooks/lab/city-cut-mysql.yaml', '--set', 'labDir=/nonexistent']);
    expect(plan.exitCode).not.toBe(0);
    expect(plan.stdout).toMatch(/\? db-election +mysql\.primary +could not observe: mysql2 could not be loaded: mysql2 was imported/);
  });
});
