import { describe, expect, it } from 'vitest';
import { checkExec, checkHttp } from '../../../src/probe/expect.js';
import { checkTolerance } from '../../../src/probe/tolerance.js';
import { normalizeProbe } from '../../../src/runbook/normalize-probe.js';
import { validateShape } from '../../../src/runbook/schema.js';

describe('probe tolerances', () => {
  it('equals / range / in / matches / path, every given test must pass', () => {
    expect(checkTolerance({ equals: 'master' }, 'master')).toEqual({ ok: true });
    expect(checkTolerance({ equals: 5 }, '5')).toEqual({ ok: true });
    expect(checkTolerance({ path: '[0]', equals: 'master' }, ['slave', '127.0.0.1', 7001])).toEqual({
      ok: false,
      detail: 'value [0] is "slave", want "master"',
    });
    expect(checkTolerance({ range: [0, 100] }, '42')).toEqual({ ok: true });
    expect(checkTolerance({ range: [0, 100] }, 101, 'lag')).toEqual({ ok: false, detail: 'lag is 101, want [0, 100]' });
    expect(checkTolerance({ range: [0, 1] }, 'x')).toMatchObject({ ok: false, detail: 'value is "x", want a number in [0, 1]' });
    expect(checkTolerance({ in: ['master', 'primary'] }, 'primary')).toEqual({ ok: true });
    expect(checkTolerance({ in: [1, 2] }, 3)).toMatchObject({ ok: false });
    expect(checkTolerance({ matches: '^conn' }, 'connected_slaves:1')).toEqual({ ok: true });
    expect(checkTolerance({ path: '$.a.b', matches: '^x', equals: 'xy' }, { a: { b: 'xz' } })).toMatchObject({ ok: false });
    expect(checkTolerance(undefined, 'anything')).toEqual({ ok: true });
  });

  it("range on every probe type: an exec probe's output and an http probe's JSON path", () => {
    expect(checkExec({ range: [0, 5] }, 0, '3\n')).toEqual({ ok: true });
    expect(checkExec({ range: [0, 5] }, 0, '9\n')).toEqual({ ok: false, detail: 'output is 9, want [0, 5]' });
    expect(checkExec({ range: [0, 5] }, 0, 'lagging')).toMatchObject({ ok: false, detail: 'output is "lagging", want a number in [0, 5]' });
    expect(checkExec({ range: [0, 5] }, 1, '3')).toMatchObject({ ok: false, detail: 'exit code 1, want 0' });
    const body = JSON.stringify({ lag: 7, errors: { rate: '0.01' } });
    expect(checkHttp({ json: [{ path: '$.errors.rate', range: [0, 0.05] }] }, 200, body)).toEqual({ ok: true });
    expect(checkHttp({ json: [{ path: '$.lag', range: [0, 5] }] }, 200, body)).toEqual({ ok: false, detail: '$.lag is 7, want [0, 5]' });
    const doc = (probe: unknown) => ({
      apiVersion: 'drctl/v1',
      kind: 'Runbook',
      metadata: { name: 'x' },
      spec: { steadyState: [probe], steps: [{ id: 'a', kind: 'exec' }] },
    });
    expect(validateShape(doc({ name: 'e', exec: ['echo', '3'], expect: { range: [0, 5] } }))).toEqual([]);
    expect(
      validateShape(doc({ name: 'h', http: { url: 'http://127.0.0.1:1/' }, expect: { json: [{ path: '$.lag', range: [0, 5] }] } })),
    ).toEqual([]);
    expect(
      validateShape(doc({ name: 'h', http: { url: 'http://127.0.0.1:1/' }, expect: { json: [{ path: '$.lag', range: [5] }] } })).length,
    ).toBeGreaterThan(0);
  });

  it('normalizes redis / sql probes with their run properties', () => {
    expect(
      normalizeProbe({
        name: 'redis master',
        redis: { addr: '127.0.0.1:7001', command: ['ROLE'] },
        expect: { path: '[0]', equals: 'master' },
        successThreshold: 3,
        failureThreshold: 2,
        interval: '200ms',
        errorCountsAsFailure: false,
        timeout: '1s',
      }),
    ).toEqual({
      type: 'redis',
      name: 'redis master',
      redis: { addr: '127.0.0.1:7001', command: ['ROLE'] },
      expect: { path: '[0]', equals: 'master' },
      timeoutMs: 1000,
      successThreshold: 3,
      failureThreshold: 2,
      intervalMs: 200,
      errorCountsAsFailure: false,
    });
    expect(normalizeProbe({ name: 'pg', sql: { host: 'h', port: 5432, user: 'u', query: 'select 1' }, expect: { range: [1, 1] } })).toEqual(
      {
        type: 'sql',
        name: 'pg',
        sql: { host: 'h', port: 5432, user: 'u', query: 'select 1' },
        expect: { range: [1, 1] },
        timeoutMs: 5000,
      },
    );
    expect(normalizeProbe({ name: 'e', exec: ['true'] })).toEqual({ type: 'exec', name: 'e', exec: ['true'], expect: {}, timeoutMs: 5000 });
  });

  it('the runbook schema accepts redis / sql probes and checks their expect', () => {
    const doc = (probe: unknown) => ({
      apiVersion: 'drctl/v1',
      kind: 'Runbook',
      metadata: { name: 'x' },
      spec: { steadyState: [probe], steps: [{ id: 'a', kind: 'exec' }] },
    });
    expect(
      validateShape(doc({ name: 'r', redis: { addr: 'h:1', command: ['GET', 'k'] }, expect: { in: ['a', 'b'] }, successThreshold: 3 })),
    ).toEqual([]);
    expect(
      validateShape(doc({ name: 's', sql: { host: 'h', port: 5432, user: 'u', query: 'select 1' }, expect: { range: [0, 1] } })),
    ).toEqual([]);
    expect(validateShape(doc({ name: 'r', redis: { addr: 'h:1', command: ['PING'] }, expect: { status: [200] } })).length).toBeGreaterThan(
      0,
    );
    expect(validateShape(doc({ name: 'r', redis: { addr: 'h:1', command: [] } })).length).toBeGreaterThan(0);
    expect(validateShape(doc({ name: 'r', redis: { addr: 'h:1', command: ['PING'] }, successThreshold: 0 })).length).toBeGreaterThan(0);
  });
});
