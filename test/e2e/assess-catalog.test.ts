import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drctl } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';
import { expectMatchesSchema } from '../helpers/document-schema.js';

// scenarios, assess, inspect, history and report through the CLI on a catalog of exec runbooks (no servers):
// two cities (east: e-1, e-2; west: w-1); east.yaml answers the loss of east, w1.yaml the loss of w-1 —
// whose only step needs w-1 itself, so that loss is not survivable; no plan covers a cross-city pair.
const TOPOLOGY = `apiVersion: drctl/v1
kind: Topology
metadata: { name: two-cities }
spec:
  shardCount: 4
  cities:
    east:
      dcs:
        e-1: { zones: { Z1: { capacity: 4, shards: ["0-1"], partners: [Z3] } } }
        e-2: { zones: { Z2: { capacity: 4, shards: ["2"], partners: [Z3] } } }
    west:
      dcs:
        w-1: { zones: { Z3: { capacity: 4, shards: ["3"], partners: [Z1, Z2] } } }
`;
const flag = (name: string) => ({ observe: { cmd: ['test', '-e', name] }, apply: ['touch', name], rollback: ['rm', '-f', name] });
const runbook = (name: string, scenarios: string, steps: string, extra = ''): string => `apiVersion: drctl/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  params:
    mode: { default: planned }
  budget: 20s
  topology: topology.yaml
  scenarios:
${scenarios}
${extra}  steps:
${steps}
`;
const EAST = runbook(
  'east-cut',
  '    - { name: east-down, lost: east, params: { mode: cut } }',
  `    - id: move
      kind: exec
      dc: w-1
      with: ${JSON.stringify(flag('moved'))}`,
  `  fault:
    kind: exec
    with: ${JSON.stringify(flag('cut'))}
    detect: [{ name: seen, exec: [test, -e, cut], interval: 100ms }]
    detectTimeout: 10s
    recoverTimeout: 10s
`,
);
const WEST = runbook(
  'west-cut',
  '    - { name: w-1-down, lost: [w-1] }',
  `    - id: move
      kind: exec
      dc: w-1
      with: ${JSON.stringify(flag('west'))}`,
);

let dir = '';
let cleanup = async (): Promise<void> => undefined;
const cli = (args: string[]) => drctl([...args, '--state', path.join(dir, 'state')], { cwd: dir });
const json = (stdout: string) => JSON.parse(stdout).result;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTmpDir('drctl-assess-'));
  await writeFile(path.join(dir, 'topology.yaml'), TOPOLOGY);
  await writeFile(path.join(dir, 'east.yaml'), EAST);
  await writeFile(path.join(dir, 'w1.yaml'), WEST);
});
afterAll(async () => cleanup());

describe('the catalog of recovery plans', () => {
  it("scenarios lists which runbook answers which loss; the folder's topology is left out", async () => {
    const r = await cli(['scenarios', '.']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/east-down +east \(e-1, e-2\) +east-cut \{"mode":"cut"\}/);
    expect(r.stdout).toContain('not runbooks, left out: topology.yaml (Topology)');
    expect(
      json((await cli(['--json', 'scenarios', '.'])).stdout).scenarios.map(
        (s: { name: string; lost: string[] }) => `${s.name}=${s.lost.join(',')}`,
      ),
    ).toEqual(['east-down=e-1,e-2', 'w-1-down=w-1']);
  });

  it('validate checks scenario and dc: names against spec.topology (file:line:column); a city is no step dc', async () => {
    const bad = EAST.replace('lost: east', 'lost: [e-1, e-3]').replace('dc: w-1', 'dc: west');
    await writeFile(path.join(dir, 'bad.yaml.txt'), bad);
    const r = await cli(['validate', 'bad.yaml.txt']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('bad.yaml.txt:10:38: error: unknown data center or city "e-3" in topology two-cities (did you mean "e-1"?)');
    expect(r.stderr).toContain('bad.yaml.txt:20:11: error: "west" is a city: a step\'s dc names data centers (w-1)');
  });
});

describe('drctl assess', () => {
  it('every scope: the plan that answers it (or NO PLAN), each verdict, the level and the score; exit 1 on findings', async () => {
    const r = await cli(['--json', 'assess', '.']);
    expect(r.exitCode, r.stderr).toBe(1);
    const doc = json(r.stdout);
    expectMatchesSchema('assessment', doc);
    const row = (id: string) => doc.scopes.find((s: { id: string }) => s.id === id);
    expect(
      doc.scopes.map(
        (s: { id: string; verdict: string; plan: { status: string; scenario: string | null; match: string | null } }) =>
          `${s.id}:${s.plan.scenario ?? s.plan.status}/${s.plan.match ?? '-'}:${s.verdict}`,
      ),
    ).toEqual([
      'e-1:east-down/covering:survivable',
      'e-2:east-down/covering:survivable',
      'w-1:w-1-down/exact:not-survivable',
      'east:east-down/exact:survivable',
      'e-1+w-1:none/-:not-survivable',
      'e-2+w-1:none/-:not-survivable',
    ]);
    expect(row('w-1').why).toBe('west-cut/move: needs w-1 (dc:), lost');
    expect(row('e-1').plan.runbooks).toEqual([{ name: 'east-cut', file: path.join(dir, 'east.yaml'), params: { mode: 'cut' } }]);
    expect(doc.level).toEqual({
      level: 'L0',
      name: 'survives no whole class of failure',
      reason: 'not surviving the loss of any one data center: w-1 (not-survivable)',
    });
    // never rehearsed: capability only (40) for survivable scopes
    expect(doc.score).toEqual({ value: 22, byClass: { dc: 27, city: 40, pair: 0 } });
    expect(doc.findings.map((f: { key: string }) => f.key)).toEqual(['w-1|west-cut/move', 'e-1+w-1|no-plan', 'e-2+w-1|no-plan']);
  });

  it('--scope names one scope (data centers or cities): no level then; an unknown name is bad input', async () => {
    const r = await cli(['--json', 'assess', '.', '--scope', 'east']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ level: null, score: null, findings: [], scopes: [{ id: 'east', verdict: 'survivable' }] });
    const bad = await cli(['assess', '.', '--scope', 'e-9']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain('--scope unknown data center or city "e-9" in topology two-cities');
    expect((await cli(['assess', '.', '--set', 'nope=1'])).stderr).toContain(
      '--set nope: no runbook of the catalog declares a param "nope"',
    );
  });

  it('a rehearsal of a scenario counts for it: its age, the predicted RTO against the budget, a higher score', async () => {
    const unknown = await cli(['rehearse', 'east.yaml', '--yes', '--scenario', 'nope']);
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toContain('--scenario nope: east-cut answers no scenario "nope"');
    const rh = await cli(['rehearse', 'east.yaml', '--yes', '--scenario', 'east-down', '--ignore-schedule']);
    expect(rh.exitCode, rh.stdout + rh.stderr).toBe(0);
    const doc = json((await cli(['--json', 'assess', '.'])).stdout);
    expectMatchesSchema('assessment', doc);
    const east = doc.scopes.find((s: { id: string }) => s.id === 'east');
    expect(east.rehearsal).toMatchObject({ latestOutcome: 'SUCCEEDED', ageDays: 0 });
    expect(east.rto).toMatchObject([{ runbook: 'east-cut', basedOn: 1, budgetMs: 20_000, withinBudget: true }]);
    expect(east.score).toBe(100);
    expect(doc.score.byClass.city).toBe(100);
    const text = (await cli(['assess', '.'])).stdout;
    expect(text).toMatch(/^east +east-down +· +· +· +· +· +✓ +survivable +0 +- +\S+ \/ 20\.0s +just now$/m);
  });

  it('two scenarios losing the same data centers are ambiguous (respond would refuse); one name losing different ones is bad input', async () => {
    const other = path.join(dir, 'east2.yaml');
    try {
      await writeFile(other, EAST.replace('name: east-cut', 'name: east-other').replace('east-down', 'east-lost'));
      const doc = json((await cli(['--json', 'assess', '.', '--scope', 'e-2'])).stdout);
      expect(doc.scopes[0]).toMatchObject({
        verdict: 'not-survivable',
        plan: { status: 'ambiguous', candidates: ['east-down', 'east-lost'] },
      });
      await writeFile(other, EAST.replace('name: east-cut', 'name: east-other').replace('lost: east', 'lost: [e-1]'));
      const conflict = await cli(['assess', '.']);
      expect(conflict.exitCode).toBe(3);
      expect(conflict.stderr).toContain('east2.yaml:10:32: error: scenario "east-down" loses e-1 here but e-1, e-2 in');
    } finally {
      await rm(other, { force: true });
    }
  });
});

describe('drctl inspect', () => {
  it('records an inspection with its findings; history lists it; report renders it; a removed runbook is NO PLAN until accepted', async () => {
    const first = await cli(['inspect', '.']);
    expect(first.exitCode, first.stdout + first.stderr).toBe(1); // w-1 is not survivable: a catalogued scenario that fails
    expect(first.stdout).toContain('NEW  w-1: west-cut step move would fail: needs w-1 (dc:), lost');
    const id = /drctl report (\S+)/.exec(first.stdout)?.[1] ?? '';
    const history = await cli(['history']);
    expect(history.stdout).toMatch(new RegExp(`${id} +1 finding +\\+1 -0`));
    expect((await cli(['report', id, '--format', 'md'])).stdout).toContain(`# Inspection ${id}`);
    const html = (await cli(['report', id, '--format', 'html'])).stdout;
    expect(html).toContain('id="heat-map"');
    expect(html).not.toMatch(/<script/i);
    // the west runbook removed: the next inspection says its scope has no plan any more, and still the one after
    await rm(path.join(dir, 'w1.yaml'));
    const second = await cli(['--json', 'inspect', '.']);
    expect(second.exitCode).toBe(1);
    const rec = json(second.stdout);
    expectMatchesSchema('inspection', rec);
    expect(rec.findingList.map((f: { key: string }) => f.key)).toEqual(['w-1|no-plan']);
    expect(rec.drift.resolved.map((f: { key: string }) => f.key)).toEqual(['w-1|west-cut/move']);
    expect(json((await cli(['--json', 'inspect', '.'])).stdout).findingList.map((f: { key: string; since: string }) => f.key)).toEqual([
      'w-1|no-plan',
    ]);
    const accepted = await cli(['inspect', '.', '--accept-coverage']);
    expect(accepted.exitCode, accepted.stdout).toBe(0);
    expect(accepted.stdout).toContain('Clean: no findings.');
    await writeFile(path.join(dir, 'w1.yaml'), WEST);
  });

  it('a saved plan that no longer matches the estate is a finding', async () => {
    const planFile = path.join(dir, 'plan.json');
    expect((await cli(['plan', 'east.yaml', '-o', planFile])).exitCode).toBe(2);
    const fresh = json((await cli(['--json', 'inspect', 'east.yaml', '--plan', planFile])).stdout);
    expect(fresh.savedPlans).toMatchObject([{ runbook: 'east-cut', fresh: true }]);
    await writeFile(path.join(dir, 'moved'), '');
    const stale = json((await cli(['--json', 'inspect', 'east.yaml', '--plan', planFile])).stdout);
    expect(stale.savedPlans).toMatchObject([
      { runbook: 'east-cut', fresh: false, detail: expect.stringContaining('the live state changed since the plan was made') },
    ]);
    expectMatchesSchema('inspection', stale);
    expect(stale.findingList.map((f: { key: string }) => f.key)).toContain(`stale-plan|${planFile}`);
    await rm(path.join(dir, 'moved'));
    expect(JSON.parse(await readFile(planFile, 'utf8')).runbook.name).toBe('east-cut');
  });
});

describe('drctl respond (one-click recovery) on the catalog', () => {
  it('picks the scenario for the loss (exact, else the smallest covering it; a city name works), plans it, runs it like run', async () => {
    const dry = await cli(['respond', '--lost', 'e-1', '.', '--dry-run']);
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(2); // east-down covers e-1: its step would change something
    expect(dry.stderr).toContain('respond to the loss of e-1: scenario east-down, 1 runbook');
    expect(dry.stdout).toContain('== east-cut (');
    expect(dry.stdout).toContain('{"mode":"cut"}');
    const doc = json((await cli(['--json', 'respond', '--lost', 'east', '.', '--dry-run'])).stdout);
    expect(doc).toMatchObject({
      lost: ['e-1', 'e-2'],
      scenario: { name: 'east-down' },
      plans: [{ runbook: 'east-cut', params: { mode: 'cut' }, code: 2 }],
    });
    expect(doc.plans[0].plan.counts.change).toBe(1);

    const noYes = await cli(['respond', '--lost', 'e-1,e-2', '.']);
    expect(noYes.exitCode).toBe(4);
    expect(noYes.stderr).toContain('refusing to respond to the loss of e-1, e-2 without --yes');
    try {
      const r = await cli(['respond', '--lost', 'e-1,e-2', '.', '--yes']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toContain('east-cut (');
      expect(r.stderr).toContain('with {"mode":"cut"}: move (exec)');
      expect(await readFile(path.join(dir, 'moved'), 'utf8')).toBe(''); // the step ran
      const runId = /\(run ([^)]+)\)/.exec(r.stdout)?.[1] ?? '';
      const report = json((await cli(['report', runId, '--format', 'json'])).stdout);
      expect(report.run).toMatchObject({ mode: 'run', status: 'succeeded' });
      expect(report.lost).toEqual(['e-1', 'e-2']);
      expect(r.stderr).toContain('lost: e-1, e-2 — the switch does not wait on members there');
      // how to fail back: each run respond made, undone by its id
      expect(r.stderr).toContain(`to fail back once e-1, e-2 are back: drctl rollback ${runId} (east-cut)`);
    } finally {
      await rm(path.join(dir, 'moved'), { force: true });
    }
  });

  it('refuses, exit 3: NO PLAN, an unknown name, two scenarios that tie (listed; --scenario picks one)', async () => {
    const none = await cli(['respond', '--lost', 'e-1,w-1', '.', '--yes']);
    expect(none.exitCode).toBe(3);
    expect(none.stderr).toContain('NO PLAN: no scenario of the catalog covers the loss of e-1, w-1');
    const unknown = await cli(['respond', '--lost', 'e-3', '.', '--yes']);
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toContain('e-3');
    const other = path.join(dir, 'east2.yaml');
    try {
      await writeFile(other, EAST.replace('name: east-cut', 'name: east-other').replace('east-down', 'east-lost'));
      const tie = await cli(['respond', '--lost', 'east', '.', '--yes']);
      expect(tie.exitCode).toBe(3);
      expect(tie.stderr).toContain(
        '2 scenarios answer the loss of e-1, e-2 equally (exact): east-down (loses e-1, e-2; east-cut); east-lost (loses e-1, e-2; east-other)',
      );
      const picked = await cli(['respond', '--lost', 'east', '.', '--scenario', 'east-lost', '--dry-run']);
      expect(picked.exitCode, picked.stdout + picked.stderr).toBe(2);
      expect(picked.stdout).toContain('== east-other (');
    } finally {
      await rm(other, { force: true });
    }
  });
});
