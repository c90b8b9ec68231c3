import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labFreeze, labThaw } from '../../src/lab/freeze.js';
import { startPrivateLab, type PrivateLab } from '../helpers/private-lab.js';

// The disaster the one-command recovery is for: Hangzhou is really down (every hz-a/hz-b process frozen,
// as a network cut: silent peers). `drctl run --lost hz-a,hz-b` must pass readiness (no readiness check
// depends on a lost data center: HAProxy's own monitor-uri, not its frontend's `/`, which hangs now) and
// end with Shanghai's PostgreSQL the primary.
let lab: PrivateLab;
let frozen = false;
const HZ = ['hz-a', 'hz-b'] as const;

beforeAll(async () => {
  lab = await startPrivateLab('drctl-lab-frozen-');
});
afterAll(async () => {
  if (lab && frozen) for (const dc of HZ) await labThaw(lab.labDir, dc); // lab down stops each process by its pid
  await lab?.down();
});

type Rec = { type: string; stepId?: string; name?: string; after?: { primaries?: string[] } };

describe('drctl run --lost hz-a,hz-b while Hangzhou is frozen', () => {
  it('passes readiness (HAProxy answers its monitor-uri itself) and promotes pg-sh-a', async () => {
    frozen = true;
    for (const dc of HZ) expect((await labFreeze(lab.labDir, dc)).length).toBeGreaterThan(0);
    const stateDir = path.join(lab.dir, 'state');
    const r = await lab.cli([
      'run',
      '--lost',
      'hz-a,hz-b',
      '--yes',
      lab.book('city-cut.yaml'),
      '--set',
      `labDir=${lab.labDir}`,
      '--set',
      'acceptDataLoss=true',
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ readiness haproxy-up/);
    const runs = existsSync(path.join(stateDir, 'runs')) ? await readdir(path.join(stateDir, 'runs')) : [];
    expect(runs).toHaveLength(1);
    const journal = (await readFile(path.join(stateDir, 'runs', runs[0] ?? '', 'journal.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
    expect(journal.find((e) => e.type === 'run.started')).toMatchObject({ lost: ['hz-a', 'hz-b'] });
    const db = journal.find((e) => e.type === 'step.applied' && e.stepId === 'db-election');
    expect(db?.after?.primaries).toEqual(['pg-sh-a']);
    // lab status's rows are as observed now, as its summary: pg-sh-a started a standby (lab.json) and is primary;
    // the frozen Hangzhou processes are asked nothing (no role)
    const status = JSON.parse((await lab.cli(['lab', 'status', '--dir', lab.labDir, '--json'])).stdout).result as {
      processes: { name: string; role: string | null; frozen: boolean }[];
      pgPrimary: { name: string | null };
    };
    const row = (name: string) => status.processes.find((p) => p.name === name);
    expect(status.pgPrimary.name).toBe('pg-sh-a');
    expect(row('pg-sh-a')?.role).toBe('primary');
    expect(row('pg-hz-a')).toMatchObject({ frozen: true, role: null });
    expect(row('mariadb-sh-a')?.role).toBe('replica');
  });
});
