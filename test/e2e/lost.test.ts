import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drctl } from '../helpers/cli.js';
import { rehearsalEstate, runIdOf, type Estate } from './rehearse-kit.js';

// The lost data centers reach the switch's steps (ctx.lost; a command sees DRCTL_LOST): from `--lost`
// on run and drill, and from a rehearsal's fault. Undo (fail-back, restore) is told none: going back
// means the lost side is back. What each kind does with it: test/integration/kinds (real servers).

let estate: Estate;
beforeEach(async () => {
  estate = await rehearsalEstate();
});
afterEach(async () => estate.cleanup());

const sh = (script: string): string => JSON.stringify(['sh', '-c', script]);

/** One exec step that logs the lost data centers it was told, on apply and on rollback. */
async function writeRunbook(): Promise<string> {
  const { dir } = estate;
  const file = estate.f('lost.yaml');
  await writeFile(
    file,
    `apiVersion: drctl/v1
kind: Runbook
metadata: { name: lost-dcs }
spec:
  params:
    cut: { default: [hz-a, hz-b] }
  steps:
    - id: flip
      kind: exec
      with:
        observe: { cmd: [test, -e, ${dir}/flipped] }
        apply: ${sh(`touch ${dir}/flipped; echo "apply lost=$DRCTL_LOST" >> ${dir}/log`)}
        rollback: ${sh(`rm -f ${dir}/flipped; echo "rollback lost=$DRCTL_LOST" >> ${dir}/log`)}
`,
  );
  return file;
}

describe('--lost DCS and the lost side of a rehearsal', () => {
  it('drill --lost: the switch is told the lost data centers (journaled in run.started), its fail-back none', async () => {
    const file = await writeRunbook();
    const r = await drctl(['drill', file, '--yes', '--lost', 'hz-a,hz-b', '--state', estate.state]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await estate.log()).toEqual(['apply lost=hz-a,hz-b', 'rollback lost=']);
    const started = (await estate.journal(runIdOf(r.stdout))).find((e) => e.type === 'run.started');
    expect(started?.['lost']).toEqual(['hz-a', 'hz-b']);
  });

  it('the lost data centers are said: the plan, the live output and every report format', async () => {
    const file = await writeRunbook();
    const line = 'lost: hz-a, hz-b — the switch does not wait on members there';
    const plan = await drctl(['drill', file, '--dry-run', '--lost', 'hz-a,hz-b', '--state', estate.state]);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain(line);
    // and in the plan's JSON (plan.v1 `lost`): what its observations did not wait on
    const json = await drctl(['drill', file, '--dry-run', '--json', '--lost', 'hz-a,hz-b', '--state', estate.state]);
    expect(json.exitCode, json.stderr).toBe(2);
    expect((JSON.parse(json.stdout) as { result: { lost: unknown } }).result.lost).toEqual(['hz-a', 'hz-b']);
    const r = await drctl(['drill', file, '--yes', '--lost', 'hz-a,hz-b', '--state', estate.state]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(line);
    const id = runIdOf(r.stdout);
    const report = async (format: string): Promise<string> =>
      (await drctl(['report', id, '--format', format, '--state', estate.state])).stdout;
    expect((JSON.parse(await report('json')) as { result: { lost: unknown } }).result.lost).toEqual(['hz-a', 'hz-b']);
    expect(await report('md')).toContain('- lost: hz-a, hz-b (the switch did not wait on members there)');
    expect(await report('junit')).toContain('<property name="lost" value="hz-a,hz-b"/>');
    expect(await report('html')).toContain('<p class="meta" id="lost">lost: hz-a, hz-b');
  });

  it('--lost without a topology: only a data center the runbook names as one (a dc field or param), else exit 3 naming --lost', async () => {
    const file = await writeRunbook();
    // "flip", "exec" and "lost-dcs" are words of the runbook, not data centers: refused, nothing run
    for (const word of ['hz-x', 'flip', 'lost-dcs']) {
      const r = await drctl(['run', file, '--yes', '--lost', `hz-a,${word}`, '--state', estate.state]);
      expect(r.exitCode, word).toBe(3);
      expect(r.stderr).toContain(`--lost ${word}: no data center of that name in the runbook`);
      expect(r.stderr).toContain('its data centers: hz-a, hz-b');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const empty = await drctl(['run', file, '--yes', '--lost', 'hz-a,', '--state', estate.state]);
    expect(empty.exitCode).toBe(3);
    expect(empty.stderr).toContain('--lost "hz-a,": data center names, comma-separated');
    expect(await estate.log()).toEqual([]);
  });

  it('--lost with spec.topology: a city stands for its data centers; an unknown name gets a did-you-mean (exit 3)', async () => {
    const file = await writeRunbook();
    await writeFile(
      estate.f('topology.yaml'),
      `apiVersion: drctl/v1
kind: Topology
metadata: { name: two-cities }
spec:
  shardCount: 4
  cities:
    hz:
      dcs:
        hz-a: { zones: { Z1: { capacity: 4, shards: ["0-1"], partners: [Z3] } } }
        hz-b: { zones: { Z2: { capacity: 4, shards: ["2"], partners: [Z3] } } }
    sh:
      dcs:
        sh-a: { zones: { Z3: { capacity: 4, shards: ["3"], partners: [Z1, Z2] } } }
`,
    );
    await writeFile(file, (await readFile(file, 'utf8')).replace('  params:\n', '  topology: topology.yaml\n  params:\n'));
    const bad = await drctl(['run', file, '--yes', '--lost', 'hz-c', '--state', estate.state]);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain('--lost unknown data center or city "hz-c" in topology two-cities');
    expect(bad.stderr).toContain('did you mean');
    const r = await drctl(['run', file, '--yes', '--lost', 'hz', '--state', estate.state]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await estate.log()).toEqual(['apply lost=hz-a,hz-b']);
    const started = (await estate.journal(runIdOf(r.stdout))).find((e) => e.type === 'run.started');
    expect(started?.['lost']).toEqual(['hz-a', 'hz-b']);
  });

  it("rehearse: the fault's lost data centers (fault.lost) reach the switch's steps, not the fail-back", async () => {
    const file = await estate.writeRunbook();
    const text = await readFile(file, 'utf8');
    const withLost = text
      .replace('    description: cut hz\n', '    description: cut hz\n    lost: [hz]\n')
      .replace(`echo flip >> ${estate.dir}/log`, 'echo flip lost=$DRCTL_LOST >> ' + `${estate.dir}/log`)
      .replace(`echo unflip >> ${estate.dir}/log`, 'echo unflip lost=$DRCTL_LOST >> ' + `${estate.dir}/log`);
    expect(withLost).not.toBe(text);
    await writeFile(file, withLost);
    const r = await estate.rehearse(file, '--yes');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await estate.log()).toEqual(['inject', 'drain', 'flip lost=hz', 'restore', 'unflip lost=', 'undrain']);
    expect(r.stderr).toContain('lost: hz — the switch does not wait on members there');
    const injected = (await estate.journal(runIdOf(r.stdout))).find((e) => e.type === 'fault.injected');
    expect(injected?.['lost']).toEqual(['hz']);
  });
});
