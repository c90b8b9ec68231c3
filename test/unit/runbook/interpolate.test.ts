import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  collectReferences,
  interpolate,
  loadParamsFile,
  parseSetFlag,
  resolveParams,
  type InterpolationScope,
} from '../../../src/runbook/interpolate.js';
import { Secret, isSecret } from '../../../src/util/secret.js';

const scope: InterpolationScope = {
  params: { cut: ['hz-a', 'hz-b'], n: 8, zone: 'sh-a' },
  env: { HOME: '/home/sre' },
  secrets: (name) => (name === 'TSIG_KEY' ? new Secret('s3cret', name) : undefined),
  stepOutputs: (id) => (id === 'cache' ? { master: '127.0.0.1:7003', port: 7003 } : undefined),
};

describe('interpolate', () => {
  test('a whole-value reference keeps the type', () => {
    expect(interpolate('${params.cut}', scope)).toEqual(['hz-a', 'hz-b']);
    expect(interpolate('${params.n}', scope)).toBe(8);
    expect(interpolate('${ steps.cache.outputs.port }', scope)).toBe(7003);
  });

  test('mixed strings are substituted as text, recursively through lists and maps', () => {
    expect(interpolate({ argv: ['cut', 'zones=${params.cut} n=${params.n}', '${env.HOME}/x'], keep: 3 }, scope)).toEqual({
      argv: ['cut', 'zones=["hz-a","hz-b"] n=8', '/home/sre/x'],
      keep: 3,
    });
  });

  test('a whole-value secret is the Secret itself; a mixed string with a secret becomes a Secret', () => {
    const whole = interpolate('${secret.TSIG_KEY}', scope);
    expect(isSecret(whole) && whole.reveal()).toBe('s3cret');
    const mixed = interpolate('hmac-sha256:key:${secret.TSIG_KEY}@${params.zone}', scope);
    expect(isSecret(mixed)).toBe(true);
    expect((mixed as Secret).reveal()).toBe('hmac-sha256:key:s3cret@sh-a');
    expect((mixed as Secret).name).toBe('TSIG_KEY');
    expect(String(mixed)).toBe('***');
  });

  test('$${ escapes a literal ${', () => {
    expect(interpolate('echo $${HOME} ${params.zone}', scope)).toBe('echo ${HOME} sh-a');
    expect(interpolate('$${params.zone}', scope)).toBe('${params.zone}');
  });

  test('missing values throw an error naming the reference', () => {
    expect(() => interpolate('${secret.NOPE}', scope)).toThrow('${secret.NOPE}: environment variable NOPE is not set');
    expect(() => interpolate('x ${env.NOPE}', scope)).toThrow('${env.NOPE}: environment variable NOPE is not set');
    expect(() => interpolate('${steps.lb.outputs.x}', scope)).toThrow('${steps.lb.outputs.x}: step "lb" has no outputs yet (has it run?)');
    expect(() => interpolate('${steps.cache.outputs.nope}', scope)).toThrow('step "cache" has no output "nope" (it has: master, port)');
    expect(() => interpolate('${params.missing}', scope)).toThrow('${params.missing}: param "missing" has no value');
    expect(() => interpolate('${foo.bar}', scope)).toThrow('unknown reference root "foo"');
  });
});

describe('collectReferences', () => {
  test('finds every reference with its path, skipping escapes', () => {
    expect(
      collectReferences({ a: ['${params.x}', 'lit $${no}'], b: { c: 'u=${env.U} k=${secret.K} o=${steps.db.outputs.role} ${bad}' } }),
    ).toEqual([
      { type: 'params', name: 'x', raw: '${params.x}', path: ['a', 0] },
      { type: 'env', name: 'U', raw: '${env.U}', path: ['b', 'c'] },
      { type: 'secret', name: 'K', raw: '${secret.K}', path: ['b', 'c'] },
      { type: 'output', step: 'db', name: 'role', raw: '${steps.db.outputs.role}', path: ['b', 'c'] },
      expect.objectContaining({ type: 'invalid', raw: '${bad}', path: ['b', 'c'] }),
    ]);
  });
});

describe('resolveParams', () => {
  const specs = {
    cut: { default: ['hz-a'], description: undefined, required: false },
    token: { default: undefined, description: undefined, required: true },
    note: { default: undefined, description: undefined, required: false },
  };

  test('overrides win over defaults; optional params without value are left out', () => {
    expect(resolveParams(specs, { token: 't', cut: ['sz-a'] })).toEqual({ ok: true, value: { cut: ['sz-a'], token: 't' } });
  });

  test('required params without value and unknown overrides are errors', () => {
    expect(resolveParams(specs, { cutt: 1 })).toEqual({
      ok: false,
      error: [
        'unknown param "cutt" (did you mean "cut"?); declared params: cut, token, note',
        'missing required param "token": pass --set token=VALUE',
      ],
    });
  });
});

describe('parseSetFlag', () => {
  test.each([
    ['cut=[hz-a,hz-b]', 'cut', ['hz-a', 'hz-b']],
    ['n=8', 'n', 8],
    ['flag=true', 'flag', true],
    ['url=http://x/?a=b', 'url', 'http://x/?a=b'],
    ['empty=', 'empty', ''],
    ['m={a: 1}', 'm', { a: 1 }],
  ])('%s', (text, key, value) => {
    expect(parseSetFlag(text)).toEqual({ key, value });
  });

  test('a missing = is a clear usage error (exit 3), its prefix told once', () => {
    expect(() => parseSetFlag('cut')).toThrow(
      expect.objectContaining({ exitCode: 3, message: '--set cut: expected key=value (e.g. --set cut=[hz-a,hz-b])' }),
    );
    expect(() => parseSetFlag('=1')).toThrow(expect.objectContaining({ exitCode: 3, message: '--set =1: the key before "=" is empty' }));
    expect(() => parseSetFlag('to=[x', 'DRCTL_PARAM_to=[x')).toThrow(
      expect.objectContaining({ exitCode: 3, message: expect.stringMatching(/^DRCTL_PARAM_to=\[x: cannot read value "\[x": /) }),
    );
  });
});

describe('loadParamsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drctl-params-'));
  test('reads a YAML map', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'cut: [hz-a]\nn: 2\n');
    expect(await loadParamsFile(file)).toEqual({ cut: ['hz-a'], n: 2 });
  });

  test('bad YAML and non-maps are errors with positions', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'cut: [hz-a\n');
    await expect(loadParamsFile(bad)).rejects.toMatchObject({
      code: 'params-invalid',
      diagnostics: [expect.objectContaining({ code: 'yaml-syntax', line: 2, column: 1 })],
    });
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '\n- a\n');
    await expect(loadParamsFile(list)).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ code: 'wrong-type', line: 2, column: 1 })],
    });
  });

  test('given the declared params, an unknown name is an error at its key (with a did-you-mean)', async () => {
    const file = join(dir, 'unknown.yaml');
    writeFileSync(file, 'cut: [hz-a]\n# the target\n  \ntoo: sh-a\nzz: 1\n');
    await expect(loadParamsFile(file, ['cut', 'to'])).rejects.toMatchObject({
      code: 'params-invalid',
      diagnostics: [
        expect.objectContaining({
          code: 'unknown-param',
          message: 'unknown param "too" (did you mean "to"?)',
          hint: 'declared params: cut, to',
          file,
          line: 4,
          column: 1,
        }),
        expect.objectContaining({ code: 'unknown-param', message: 'unknown param "zz"', line: 5, column: 1 }),
      ],
    });
  });
});
