import { describe, expect, test } from 'vitest';
import { loadBuiltinRegistry } from '../../../src/kinds/builtin.js';
import { validateRunbookData } from '../../../src/runbook/validate.js';
import { parseYamlText } from '../../../src/yaml/file.js';

// The real built-in kinds: these are the checks `drctl validate` runs.
const registry = await loadBuiltinRegistry();
const check = (body: string): string[] => {
  const text = `apiVersion: drctl/v1\nkind: Runbook\nmetadata: { name: t }\nspec:\n${body}`;
  return validateRunbookData(parseYamlText('/t.yaml', text), registry).map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);
};

describe('durations a run cannot use are refused with their position', () => {
  test('a zero timeout (step, defaults, probe, fault) and a budget of 0', () => {
    expect(
      check(
        [
          '  budget: 0s',
          '  defaults: { timeout: 0ms }',
          '  readiness: [{ name: up, exec: [true], timeout: 0s }]',
          '  steps:',
          '    - id: a',
          '      kind: exec',
          '      timeout: 0s',
          '      with: { apply: [true] }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '5:11 bad-duration: budget: duration "0s" must be more than 0 (e.g. 500ms, 30s)',
      '6:24 bad-duration: timeout: duration "0ms" must be more than 0 (e.g. 500ms, 30s)',
      '7:50 bad-duration: timeout: duration "0s" must be more than 0 (e.g. 500ms, 30s)',
      '11:16 bad-duration: timeout: duration "0s" must be more than 0 (e.g. 500ms, 30s)',
    ]);
  });

  test('a wait beyond what a timer holds (2^31-1 ms, 596h31m): step timeout, backoff, wait duration and interval', () => {
    expect(
      check(
        [
          '  defaults: { retryBackoff: 700h }',
          '  steps:',
          '    - id: a',
          '      kind: exec',
          '      timeout: 597h',
          '      with: { apply: [true] }',
          '    - id: w',
          '      kind: wait',
          '      with: { duration: 800h, interval: 25d }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '5:29 bad-duration: retryBackoff: duration "700h" is too long: at most 596h31m (the longest a timer can wait)',
      '9:16 bad-duration: timeout: duration "597h" is too long: at most 596h31m (the longest a timer can wait)',
      '13:25 bad-param: step "w": duration "800h" is too long: at most 596h31m (the longest a timer can wait)',
      '13:41 bad-param: step "w": bad duration "25d": use e.g. 500ms, 30s, 1m30s',
    ]);
  });

  test('the longest usable timeout, 1ms and a budget far above it are fine', () => {
    expect(
      check(
        [
          '  budget: 1000h',
          '  steps:',
          '    - { id: a, kind: exec, timeout: 596h, with: { apply: [true] } }',
          '    - { id: b, kind: exec, timeout: 1ms, with: { apply: [true] } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});

describe('HTTP requests are checked before any run', () => {
  test('a step: URL, method, status codes and JSON paths (each where it is written)', () => {
    expect(
      check(
        [
          '  steps:',
          '    - id: h',
          '      kind: http',
          '      with:',
          '        request: { url: "not a url", method: FROB, expect: { status: [200, 999], json: [{ path: status, equals: ok }] } }',
          '        observe: { url: "ftp://x/y", expect: { json: [{ path: "$.a[", equals: 1 }] } }',
          '        requestTimeout: 0s',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '9:25 bad-param: step "h": url "not a url" is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8080/health)',
      '9:46 bad-param: step "h": method "FROB" is not an HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      '9:76 bad-param: step "h": status 999 is not an HTTP status code (100-599)',
      '9:97 bad-param: step "h": JSON path "status" must start with $ (e.g. $.status or $.items[0].name)',
      '10:25 bad-param: step "h": url "ftp://x/y" is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8080/health)',
      '10:63 bad-param: step "h": bad JSON path "$.a[": use $.key, $.a.b, $.list[0] or $[\'odd key\']',
      '11:25 bad-param: step "h": duration "0s" must be more than 0 (e.g. 500ms, 30s)',
    ]);
  });

  test("probes: readiness, steady state and a wait step's until", () => {
    expect(
      check(
        [
          '  readiness: [{ name: api, http: { url: "localhost:8080" }, expect: { status: [99] } }]',
          '  steadyState: [{ name: ok, http: { url: "http://127.0.0.1/x", method: gett } }]',
          '  steps:',
          '    - { id: w, kind: wait, with: { until: { http: { url: "http//x" }, expect: { json: [{ path: ok }] } } } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '5:41 bad-value: probe "api": url "localhost:8080" is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8080/health)',
      '5:80 bad-value: probe "api": status 99 is not an HTTP status code (100-599)',
      '6:72 bad-value: probe "ok": method "gett" is not an HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (did you mean "GET"?)',
      '8:58 bad-param: step "w": url "http//x" is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8080/health)',
      '8:96 bad-param: step "w": JSON path "ok" must start with $ (e.g. $.status or $.items[0].name)',
    ]);
  });

  test('interpolated values wait for run time; lower-case methods and $ paths are fine', () => {
    expect(
      check(
        [
          '  params: { base: { default: "http://127.0.0.1:1" }, m: { default: GET } }',
          '  steps:',
          '    - id: h',
          '      kind: http',
          '      with: { request: { url: "${params.base}/x", method: "${params.m}", expect: { status: [204], json: [{ path: "$[\'a-b\'].c", equals: 1 }] } }, rollback: { url: "https://example.test/", method: delete } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});
