import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadBuiltinRegistry } from '../../../src/kinds/builtin.js';
import { validateRunbookFile } from '../../../src/runbook/validate.js';
import { fakeRegistry } from './fake-kinds.js';

// The invalid fixtures are validated as `drctl validate` does: the real built-in kinds, loaded on demand.
const builtin = loadBuiltinRegistry;

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/runbooks');
const invalid = (name: string) => resolve(FIXTURES, 'invalid', name);
const valid = (name: string) => resolve(FIXTURES, 'valid', name);

const summarize = (diags: readonly { line: number; column: number; code: string; message: string; severity: string }[]) =>
  diags.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);

describe("the kinds' own parameter checks run in validate", () => {
  test('an A record that is not an address, a server given two states, a node without a port or listed twice', async () => {
    const result = await validateRunbookFile(invalid('bad-kind-params.yaml'), builtin);
    expect(result.runbook).toBeUndefined();
    const got = result.diagnostics.map((d) => `${d.line} ${d.message}`);
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^8 .*"not-an-ip" is not an IPv4 address \(type A\)/),
        expect.stringMatching(/^11 .*server "hz-a" is in maint and has state ready in servers: give its state once/),
        expect.stringMatching(/^17 .*"nohostport" is not host:port/),
        expect.stringMatching(/^17 .*node 127\.0\.0\.1:7001 is listed twice \(in sh-a and sz-a\)/),
      ]),
    );
    expect(result.diagnostics).toHaveLength(4);
  });
});

describe('validateRunbookFile with the real built-in kinds: one problem per fixture, exact positions', () => {
  test.each([
    ['syntax.yaml', '8:32', 'yaml-syntax', 'YAML syntax: flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['unknown-field.yaml', '8:7', 'unknown-field', 'unknown field "tiemout" in step "cache" (did you mean "timeout"?)'],
    ['wrong-type.yaml', '5:16', 'wrong-type', 'spec.concurrency must be an integer ≥ 1, got "eight"'],
    ['bad-duration.yaml', '8:16', 'bad-duration', 'bad duration "30 seconds" for timeout: use e.g. 500ms, 30s, 1m30s'],
    ['duplicate-id.yaml', '9:11', 'duplicate-id', 'duplicate step id "cache": step #1 already uses it'],
    ['unknown-kind.yaml', '7:13', 'unknown-kind', 'unknown kind "redis.failovr" in step "cache" (did you mean "redis.failover"?)'],
    ['unknown-need.yaml', '11:15', 'unknown-need', 'step "lb" needs "cachee", which is not a step (did you mean "cache"?)'],
    ['cycle.yaml', '8:15', 'needs-cycle', 'dependency cycle: a → c → b → a'],
    ['unknown-param.yaml', '10:21', 'unknown-param', 'unknown param "cutt" in ${params.cutt} (did you mean "cut"?)'],
    [
      'ref-not-needed.yaml',
      '12:34',
      'ref-not-needed',
      'step "announce" reads ${steps.cache.outputs.master} but does not need step "cache": the value would not exist yet',
    ],
    ['unknown-output.yaml', '12:30', 'unknown-output', 'step "cache" (redis.failover) has no output "mastr" (did you mean "master"?)'],
    [
      'sql-query-param.yaml',
      '12:79',
      'sql-query-reference',
      'sql.query: ${params.dc} inside the query text (a value pasted into SQL changes the query)',
    ],
    [
      'shared-file.yaml',
      '12:21',
      'shared-resource',
      'step "lb-b" changes the nginx include file ${params.nginx}/conf/upstream.conf, which step "lb-a" changes too',
    ],
  ])('%s → %s %s', async (file, position, code, message) => {
    const result = await validateRunbookFile(invalid(file), builtin);
    expect(result.runbook).toBeUndefined();
    const first = result.diagnostics[0];
    expect(first && `${first.line}:${first.column}`).toBe(position);
    expect(first?.code).toBe(code);
    expect(first?.message).toBe(message);
    expect(first?.file).toBe(invalid(file));
    if (file !== 'syntax.yaml') expect(result.diagnostics).toHaveLength(1);
  });

  test('a ${…} in a sql query: the hint says to pass it in args as a bind value', async () => {
    const [d] = (await validateRunbookFile(invalid('sql-query-param.yaml'), builtin)).diagnostics;
    expect(d?.hint).toBe('put it in args as a bind value and write $1, $2… in the query: args: ["${params.dc}"]');
  });

  test('unknown kind: the suggestion is also in the hint', async () => {
    const [d] = (await validateRunbookFile(invalid('unknown-kind.yaml'), builtin)).diagnostics;
    expect(d?.hint).toBe(
      'did you mean "redis.failover"? known kinds: db.primary, dns.record, exec, fault.freeze, fault.link, gate, haproxy.servers, http, mysql.primary, nginx.upstream, redis.failover, redis.key, rules.flip, wait',
    );
    expect(d?.length).toBe('redis.failovr'.length);
  });

  test('duplicate id points at the second and relates the first', async () => {
    const [d] = (await validateRunbookFile(invalid('duplicate-id.yaml'), builtin)).diagnostics;
    expect(d?.related).toEqual([{ file: invalid('duplicate-id.yaml'), line: 6, column: 11, message: '"cache" first defined here' }]);
  });

  test('a 3-step cycle is reported once, with every edge', async () => {
    const { diagnostics } = await validateRunbookFile(invalid('cycle.yaml'), builtin);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.related?.map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([
      '8:15 "a" needs "c"',
      '17:11 "c" needs "b"',
      '12:15 "b" needs "a"',
    ]);
  });

  test('several problems in one file are all reported together, in file order', async () => {
    const { diagnostics, runbook } = await validateRunbookFile(invalid('many-errors.yaml'), builtin);
    expect(runbook).toBeUndefined();
    expect(summarize(diagnostics)).toEqual([
      '9:15 error needs-cycle dependency cycle: a → b → a',
      '10:30 error unknown-param unknown param "nope" in ${params.nope}',
      '14:16 error bad-duration bad duration "5 minutes" for timeout: use e.g. 500ms, 30s, 1m30s',
      '16:11 error duplicate-id duplicate step id "a": step #1 already uses it',
      '18:30 error unknown-field unknown field "colour" in "with" of step "a"',
      '19:7 error missing-field missing required field "id" in step #4',
      '19:13 error unknown-kind unknown kind "redis.failovr" in step #4 (did you mean "redis.failover"?)',
      '21:13 warning irreversible-step step "notify" (exec) cannot be rolled back, but spec.onFailure is rollback',
      '25:25 error bad-param step "pause": bad duration "soon": use e.g. 500ms, 30s, 1m30s',
    ]);
  });

  test('plugin problems point at the plugins entry', async () => {
    const { diagnostics } = await validateRunbookFile(invalid('bad-plugin.yaml'), builtin);
    expect(summarize(diagnostics)).toEqual([
      '6:7 error bad-plugin plugin "../plugins/bad-plugin.mjs": kinds[0] ("acme.broken"): observe must be a function; decide must be a function; apply must be a function; holds must be a function; describe must be a function',
      '6:7 error bad-plugin plugin "../plugins/bad-plugin.mjs": kinds[1]: invalid kind name "Acme_Bad": use dotted lowercase',
      `7:7 error bad-plugin plugin "../plugins/missing.mjs": file not found (looked for ${resolve(FIXTURES, 'plugins/missing.mjs')})`,
      '8:7 error bad-plugin plugin "../plugins/old-api.mjs": must export apiVersion = 1 (found 0)',
    ]);
  });
});

describe('validateRunbookFile: valid runbooks', () => {
  test('normalizes defaults, durations and probes', async () => {
    const result = await validateRunbookFile(valid('city-cut.yaml'), builtin);
    expect(result.diagnostics).toEqual([]);
    const rb = result.runbook;
    expect(rb).toMatchObject({
      name: 'city-cut-hangzhou',
      budgetMs: 26_000,
      concurrency: 8,
      onFailure: 'stop',
      lockScope: 'city-cut-hangzhou',
      file: valid('city-cut.yaml'),
      baseDir: resolve(FIXTURES, 'valid'),
      hash: result.loaded.hash,
    });
    expect(rb?.params['cut']).toEqual({ default: ['hz-a', 'hz-b'], description: 'zones to evacuate', required: false });
    expect(rb?.steps.map((s) => [s.id, s.timeoutMs, s.retry.retries])).toEqual([
      ['db-election', 20_000, 1],
      ['cache', 90_000, 1],
      ['rules', 20_000, 1],
      ['announce', 20_000, 0],
    ]);
    expect(rb?.steps[1]?.with).toMatchObject({ master: 'zoneA-cache', to: '${params.target}' });
    expect(rb?.readiness[0]).toEqual({
      type: 'exec',
      name: 'sentinel-up',
      exec: ['redis-cli', '-p', '26379', 'ping'],
      expect: { stdoutEquals: 'PONG' },
      timeoutMs: 5000,
    });
    expect(rb?.steadyState[0]).toMatchObject({ type: 'http', timeoutMs: 2000, http: { url: 'http://127.0.0.1:8080/health' } });
  });

  test('minimal runbook gets every default', async () => {
    const { runbook } = await validateRunbookFile(valid('minimal.yaml'), builtin);
    expect(runbook).toMatchObject({
      concurrency: 4,
      onFailure: 'stop',
      lockScope: 'minimal',
      budgetMs: undefined,
      fault: undefined,
      stopConditions: [],
      schedule: undefined,
    });
    expect(runbook?.steps[0]).toEqual({
      id: 'pause',
      kind: 'wait',
      description: undefined,
      needs: [],
      with: { duration: '5s' },
      timeoutMs: 30_000,
      retry: { retries: 0, backoffMs: 500, backoffFactor: 2, maxBackoffMs: 10_000 },
      budgetMs: undefined,
      verifyIntervalMs: undefined,
      index: 0,
    });
  });

  test('plugin kinds join a new registry; the base registry is untouched', async () => {
    const base = await loadBuiltinRegistry();
    const result = await validateRunbookFile(valid('with-plugin.yaml'), base);
    expect(result.diagnostics).toEqual([]);
    expect(result.registry.get('acme.toggle')?.outputNames).toEqual(['previous']);
    expect(result.registry.get('exec')).toBe(base.get('exec'));
    expect(base.get('acme.toggle')).toBeUndefined();
  });

  test('--plugin paths are loaded too (relative to the current directory)', async () => {
    const result = await validateRunbookFile(valid('minimal.yaml'), fakeRegistry(), {
      plugins: [resolve(FIXTURES, 'plugins/good-plugin.mjs')],
    });
    expect(result.registry.names()).toContain('acme.toggle');
  });

  test('a missing runbook throws file-not-found', async () => {
    await expect(validateRunbookFile(valid('nope.yaml'), fakeRegistry())).rejects.toMatchObject({ code: 'file-not-found' });
  });
});

describe('spec.fault and spec.stopConditions', () => {
  test('a fault with an unknown kind or bad params is reported inside spec.fault', async () => {
    const { parseYamlText } = await import('../../../src/yaml/file.js');
    const { validateRunbookData } = await import('../../../src/runbook/validate.js');
    const text = [
      'apiVersion: drctl/v1',
      'kind: Runbook',
      'metadata: { name: f }',
      'spec:',
      '  fault:',
      '    kind: wiat',
      '    detect: [{ name: down, exec: [true] }]',
      '  steps: [{ id: a, kind: wait, with: { duration: 1s } }]',
    ].join('\n');
    const diags = validateRunbookData(parseYamlText('/x/f.yaml', text), fakeRegistry());
    expect(diags.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '6:11 unknown kind "wiat" in the fault (did you mean "wait"?)',
    ]);
  });

  test('spec.schedule: each problem once, where it is, in words (zone, weekday, hours, an impossible date, an empty range)', async () => {
    const { parseYamlText } = await import('../../../src/yaml/file.js');
    const { validateRunbookData } = await import('../../../src/runbook/validate.js');
    const text = [
      'apiVersion: drctl/v1',
      'kind: Runbook',
      'metadata: { name: f }',
      'spec:',
      '  schedule:',
      '    timezone: Mars/Olympus',
      '    windows: [{ days: [mon-fry], hours: "25:00-26:00" }, { hours: "03:00-03:00" }]',
      '    blackouts: [{ date: "2026-02-30" }]',
      '  steps: [{ id: a, kind: wait, with: { duration: 1s } }]',
    ].join('\n');
    const diags = validateRunbookData(parseYamlText('/x/f.yaml', text), fakeRegistry());
    expect(diags.map((d) => `${d.line}:${d.column} ${d.message}`).sort()).toEqual([
      '6:15 schedule.timezone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Paris)',
      '7:24 spec.schedule.windows[0].days[0] must be a weekday (mon..sun) or a range of them (mon-fri), got "mon-fry"',
      '7:41 spec.schedule.windows[0].hours must be local hours HH:MM-HH:MM (e.g. 02:00-05:00; 22:00-02:00 crosses midnight), got "25:00-26:00"',
      '7:67 schedule.windows[1].hours: "03:00-03:00" is an empty or invalid range',
      '8:25 schedule.blackouts[0].date: "2026-02-30" is not a date (YYYY-MM-DD)',
    ]);
  });
});
