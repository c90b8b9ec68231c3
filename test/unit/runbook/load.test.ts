import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadRunbookFile } from '../../../src/runbook/load.js';
import { loadYamlFile, parseYamlText } from '../../../src/yaml/file.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/runbooks');

describe('loadRunbookFile', () => {
  test('reads data, absolute path and the sha256 of the bytes', async () => {
    const file = resolve(FIXTURES, 'valid/minimal.yaml');
    const loaded = await loadRunbookFile(file);
    expect(loaded.file).toBe(file);
    expect(loaded.hash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.data).toMatchObject({ apiVersion: 'drctl/v1', metadata: { name: 'minimal' } });
  });

  test('a missing file throws fileNotFound naming what was looked for', async () => {
    await expect(loadRunbookFile('nope/missing.yaml')).rejects.toMatchObject({
      code: 'file-not-found',
      message: 'runbook not found: nope/missing.yaml',
    });
    await expect(loadYamlFile('nope/topology.yaml', 'topology')).rejects.toMatchObject({
      message: 'topology not found: nope/topology.yaml',
    });
  });

  test('syntax errors carry their position', async () => {
    const loaded = await loadRunbookFile(resolve(FIXTURES, 'invalid/syntax.yaml'));
    expect(loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['8:32 yaml-syntax', '8:33 yaml-syntax']);
  });
});

describe('parseYamlText', () => {
  test('an unclosed quote is one error at the opening quote, not a cascade at the end of the file', () => {
    const text = [
      'apiVersion: drctl/v1',
      'kind: Runbook',
      'metadata: { name: q }',
      'spec:',
      '  steps:',
      '    - id: a',
      '      kind: exec',
      '      with: { apply: [echo, "hello] }',
      '',
      '',
    ].join('\n');
    expect(parseYamlText('/q.yaml', text).diagnostics).toEqual([
      {
        severity: 'error',
        code: 'yaml-syntax',
        file: '/q.yaml',
        line: 8,
        column: 29,
        message: 'YAML syntax: this quoted text is never closed (no closing " before the end of the file)',
      },
    ]);
    const single = parseYamlText('/s.yaml', "a: ok\nb: 'it''s fine'\nc: 'runs away\nd: [1, 2]\n").diagnostics;
    expect(single.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "3:4 YAML syntax: this quoted text is never closed (no closing ' before the end of the file)",
    ]);
  });

  test('a directory or an unreadable path is a FileProblem saying why, with the code a missing file has', async () => {
    await expect(loadRunbookFile(FIXTURES)).rejects.toMatchObject({
      code: 'file-unusable',
      problem: 'is a directory',
      message: `runbook ${FIXTURES}: is a directory`,
    });
    await expect(loadRunbookFile('nope/missing.yaml')).rejects.toMatchObject({ problem: 'no such file or directory' });
  });

  test('duplicate keys are errors at the second key; the data is still read', () => {
    const parsed = parseYamlText('/x.yaml', 'a: 1\nb:\n  c: 2\n  c: 3\n');
    expect(parsed.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'duplicate-key', message: 'duplicate key "c"', line: 4, column: 3, length: 1 }),
    ]);
    expect(parsed.data).toEqual({ a: 1, b: { c: 3 } });
  });

  test('an empty file has no data and no diagnostics', () => {
    expect(parseYamlText('/x.yaml', '# only a comment\n')).toMatchObject({ data: undefined, diagnostics: [] });
  });
});
