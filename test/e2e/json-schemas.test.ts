import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drctl, exampleWorkspace, ROOT } from '../helpers/cli.js';
import { writeMiniCatalog } from '../helpers/mini-catalog.js';

type Ws = Awaited<ReturnType<typeof exampleWorkspace>>;
const SCHEMAS = path.join(ROOT, 'runbooks/schema');

/** A published schema, compiled in ajv's strict mode (an unknown keyword or a loose type is an error). */
async function compiled(file: string): Promise<ValidateFunction> {
  const schema = JSON.parse(await readFile(path.join(SCHEMAS, file), 'utf8')) as object;
  return new Ajv2020({ strict: true, allErrors: true }).compile(schema);
}
function expectValid(validate: ValidateFunction, doc: unknown, what: string): void {
  const ok = validate(doc);
  expect(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`).toBe(true);
}

/** An exec "fault" and one step: enough for rehearse --dry-run and a real rehearsal's event stream. */
const rehearsal = (d: string): string => `apiVersion: drctl/v1
kind: Runbook
metadata: { name: schema-cut }
spec:
  budget: 30s
  fault:
    kind: exec
    with: { observe: { cmd: [test, -e, ${d}/fault] }, apply: [touch, ${d}/fault], rollback: [rm, -f, ${d}/fault] }
    detect: [{ name: seen, exec: [test, -e, ${d}/fault], interval: 20ms }]
    detectTimeout: 10s
    recoverTimeout: 10s
    lost: [east-a]
  steadyState:
    - { name: served, exec: [sh, -c, "! [ -e ${d}/fault ] || [ -e ${d}/a ]"], interval: 50ms }
  steps:
    - id: a
      kind: exec
      dc: east-b
      with: { observe: { cmd: [test, -e, ${d}/a] }, apply: [touch, ${d}/a], rollback: [rm, -f, ${d}/a] }
    - id: b
      kind: exec
      dc: east-a
      with: { observe: { cmd: [test, -e, ${d}/b] }, apply: [touch, ${d}/b], rollback: [rm, -f, ${d}/b] }
`;

describe('every --json document validates against its published schema (runbooks/schema, ajv strict)', () => {
  let ws: Ws;
  let runId = '';
  let drillLines: unknown[] = [];
  beforeAll(async () => {
    ws = await exampleWorkspace();
    await writeFile(path.join(ws.dir, 'schema-cut.yaml'), rehearsal(ws.dir));
    const r = await ws.run(['drill', 'city-cut.yaml', '--yes', '--json']);
    // 1 too: on a loaded machine the example drill can go over its budget; the documents are what is checked here
    expect([0, 1], r.stderr).toContain(r.exitCode);
    drillLines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    runId = (drillLines.at(-1) as { runId: string }).runId;
  });
  afterAll(async () => ws.cleanup());

  it('the committed schema files are what `drctl schema NAME` prints, and each compiles in strict mode', async () => {
    const list = await drctl(['schema', '--list', '--json']);
    expectValid(await compiled('schema.v1.schema.json'), JSON.parse(list.stdout), 'schema --list --json');
    const names = (JSON.parse(list.stdout) as { result: { schemas: { name: string; file: string }[] } }).result.schemas;
    expect(names.map((n) => n.name)).toEqual(
      expect.arrayContaining([
        'runbook',
        'topology',
        'validate',
        'plan',
        'status',
        'history',
        'report',
        'version',
        'kinds',
        'explain',
        'events',
        'scenarios',
        'assess',
        'inspect',
        'respond',
        'lever',
        'assessment',
        'inspection',
      ]),
    );
    for (const { name, file } of names) {
      const printed = await drctl(['schema', name]);
      expect(printed.exitCode, name).toBe(0);
      expect(JSON.parse(printed.stdout), `${file} is stale: npm run schema`).toEqual(
        JSON.parse(await readFile(path.join(ROOT, file), 'utf8')),
      );
      await compiled(path.basename(file));
    }
  });

  it('one-shot commands: validate, plan (and run/drill --dry-run), status, history, report, --version, kinds, explain, unlock, rehearse --dry-run', async () => {
    const cases: [string, string[], number[]][] = [
      ['validate.v1.schema.json', ['validate', 'city-cut.yaml', path.join(ROOT, 'runbooks/lab/topology.yaml'), '--json'], [0]],
      ['validate.v1.schema.json', ['validate', path.join(ROOT, 'test/fixtures/runbooks/invalid/many-errors.yaml'), '--json'], [3]],
      ['plan.v1.schema.json', ['plan', 'city-cut.yaml', '--json'], [2]],
      ['plan.v1.schema.json', ['run', 'city-cut.yaml', '--dry-run', '--json'], [2]],
      ['plan.v1.schema.json', ['drill', 'city-cut.yaml', '--dry-run', '--json'], [2]],
      ['status.v1.schema.json', ['status', '--json'], [0]],
      ['history.v1.schema.json', ['history', '--json'], [0]],
      ['report.v1.schema.json', ['report', runId, '--json'], [0]],
      ['report.v1.schema.json', ['report', runId, '--format', 'json'], [0]],
      ['report.v1.schema.json', ['report', 'no-such-run', '--json'], [3]],
      ['version.v1.schema.json', ['--version', '--json'], [0]],
      ['kinds.v1.schema.json', ['kinds', '--json'], [0]],
      ['explain.v1.schema.json', ['explain', 'redis.failover', '--json'], [0]],
      ['unlock.v1.schema.json', ['unlock', 'example-city-cut', '--json'], [0]],
      ['rehearse-preview.v1.schema.json', ['rehearse', 'schema-cut.yaml', '--dry-run', '--json'], [0]],
      ['rules.v1.schema.json', ['rules', 'show', '--topology', path.join(ROOT, 'runbooks/lab/topology.yaml'), '--json'], [0]],
      ['rules.v1.schema.json', ['rules', 'route', '12345666', '--topology', path.join(ROOT, 'runbooks/lab/topology.yaml'), '--json'], [0]],
    ];
    for (const [schema, args, codes] of cases) {
      const r = await ws.run(args);
      expect(codes, `${args.join(' ')}: ${r.stderr}`).toContain(r.exitCode);
      const doc = JSON.parse(r.stdout) as { command: string; ok: boolean; result: { run?: unknown } | null };
      expectValid(await compiled(schema), doc, args.join(' '));
      if (args[0] === 'report' && args[1] === runId) expect(doc).toMatchObject({ command: 'report', ok: true, result: { run: { runId } } });
      // a rehearsal's preview says the side its fault cuts (fault.lost): what the switch will not wait on
      if (args[0] === 'rehearse') expect(doc).toMatchObject({ result: { lost: ['east-a'] } });
    }
    const preview = await ws.run(['rehearse', 'schema-cut.yaml', '--dry-run']);
    expect(preview.stdout).toContain('lost: east-a — the switch does not wait on members there');
  });

  it('the NDJSON streams of drill and rehearse: every line validates against the events schema', async () => {
    const events = await compiled('events.v1.schema.json');
    drillLines.forEach((line, i) => expectValid(events, line, `drill line ${i + 1}: ${JSON.stringify(line).slice(0, 120)}`));
    const types = new Set(drillLines.map((l) => (l as { type: string }).type));
    for (const t of [
      'version',
      'run.started',
      'check.passed',
      'step.intent',
      'step.applied',
      'step.timing',
      'rollback.started',
      'step.rolled-back',
      'run.finished',
      'summary',
    ])
      expect(types, t).toContain(t);
    const reh = await ws.run(['rehearse', 'schema-cut.yaml', '--yes', '--json']);
    expect(reh.exitCode, reh.stderr).toBe(0);
    const lines = reh.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    lines.forEach((line, i) => expectValid(events, line, `rehearse line ${i + 1}: ${JSON.stringify(line).slice(0, 120)}`));
    // the fault's lost data centers are in the stream (and valid against the schema)
    expect(lines.find((l) => (l as { type: string }).type === 'fault.injected')).toMatchObject({ lost: ['east-a'] });
    expect(lines.map((l) => (l as { type: string }).type)).toEqual(
      expect.arrayContaining([
        'fault.intent',
        'fault.injected',
        'fault.detected',
        'rehearsal.recovered',
        'fault.restored',
        'rehearsal.finished',
      ]),
    );
    // an error ends a stream with one error line: it validates too
    const refused = await ws.run(['run', 'city-cut.yaml', '--json']);
    expect(refused.exitCode).toBe(4);
    expectValid(events, JSON.parse(refused.stdout.trim().split('\n').at(-1) ?? '{}'), 'the error line');
  });

  it("the catalog and safety commands: scenarios, assess (and assess -o), inspect (and its record), respond --dry-run and its run's stream, lever engage|status|release", async () => {
    await writeMiniCatalog(path.join(ws.dir, 'catalog'));
    const cases: [string, string[], number[]][] = [
      ['scenarios.v1.schema.json', ['scenarios', 'catalog', '--json'], [0]],
      ['assess.v1.schema.json', ['assess', 'catalog', '--json', '-o', 'assessment.json'], [0, 1]],
      ['assess.v1.schema.json', ['assess', 'catalog', '--scope', 'e-9', '--json'], [3]],
      ['inspect.v1.schema.json', ['inspect', 'catalog', '--json'], [0, 1]],
      ['respond.v1.schema.json', ['respond', 'catalog', '--lost', 'east', '--dry-run', '--json'], [2]],
      ['lever.v1.schema.json', ['lever', 'status', '--json'], [0]],
      ['lever.v1.schema.json', ['lever', 'engage', '--reason', 'schema check', '--json'], [0]],
      ['lever.v1.schema.json', ['lever', 'status', '--json'], [0]],
      ['lever.v1.schema.json', ['lever', 'release', '--json'], [0]],
      ['lever.v1.schema.json', ['lever', 'engage', '--reason', ' ', '--json'], [3]],
    ];
    const results: Record<string, { ok: boolean; result: unknown }> = {};
    for (const [schema, args, codes] of cases) {
      const r = await ws.run(args);
      expect(codes, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toContain(r.exitCode);
      const doc = JSON.parse(r.stdout) as { ok: boolean; result: unknown };
      expectValid(await compiled(schema), doc, args.join(' '));
      results[args.slice(0, 2).join(' ')] = doc;
    }
    expect(results['respond catalog']).toMatchObject({
      ok: true,
      result: {
        scenario: { name: 'east-down' },
        plans: [{ runbook: 'east-cut', code: 2, plan: { counts: { change: 1 }, lost: ['e-1', 'e-2'] } }],
      },
    });
    expect(results['lever release']).toMatchObject({ ok: true, result: { engaged: false, reason: 'schema check', released: {} } });
    // the records kept on their own (not enveloped): assess -o FILE, and the inspection the store keeps (inspect --json's result)
    expectValid(
      await compiled('assessment.schema.json'),
      JSON.parse(await readFile(path.join(ws.dir, 'assessment.json'), 'utf8')),
      'assess -o',
    );
    expectValid(await compiled('inspection.schema.json'), results['inspect catalog']?.result, 'the inspection record');
    // respond --yes --json: each runbook's run streams NDJSON; every line is an events line
    const events = await compiled('events.v1.schema.json');
    const run = await ws.run(['respond', 'catalog', '--lost', 'east', '--yes', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    lines.forEach((line, i) => expectValid(events, line, `respond line ${i + 1}: ${JSON.stringify(line).slice(0, 120)}`));
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['version', 'run.started', 'step.applied', 'run.finished', 'summary']));
  });
});
