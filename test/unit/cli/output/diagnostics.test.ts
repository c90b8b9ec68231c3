import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderDiagnostics } from '../../../../src/cli/output/diagnostics.js';
import type { Diagnostic } from '../../../../src/util/diagnostic.js';

const FILE = resolve(process.cwd(), 'runbooks/city.yaml');
const SOURCE = ['spec:', '  steps:', '    - id: cache', '      tiemout: 30s', '      needs: [a]'].join('\n');
const sources = (file: string) => (file === FILE ? SOURCE : undefined);

const unknownField: Diagnostic = {
  severity: 'error',
  code: 'unknown-field',
  message: 'unknown field "tiemout" in step "cache" (did you mean "timeout"?)',
  file: FILE,
  line: 4,
  column: 7,
  length: 7,
  hint: 'known fields: id, kind, timeout',
};
const cycle: Diagnostic = {
  severity: 'warning',
  code: 'x',
  message: 'something odd',
  file: FILE,
  line: 5,
  column: 15,
  related: [{ file: '/elsewhere/other.yaml', line: 2, column: 3, message: '"a" needs "b"' }],
};

describe('renderDiagnostics', () => {
  test('position, source line, caret, hint, notes and summary (no colour)', () => {
    expect(renderDiagnostics([unknownField, cycle], sources, { color: false })).toBe(
      [
        'runbooks/city.yaml:4:7: error: unknown field "tiemout" in step "cache" (did you mean "timeout"?)',
        ' 4 |       tiemout: 30s',
        '   |       ^~~~~~~',
        '  hint: known fields: id, kind, timeout',
        '',
        'runbooks/city.yaml:5:15: warning: something odd',
        ' 5 |       needs: [a]',
        '   |               ^',
        '  /elsewhere/other.yaml:2:3: note: "a" needs "b"',
        '',
        '1 error, 1 warning',
        '',
      ].join('\n'),
    );
  });

  test('caret length is clipped to the line; unknown sources print no excerpt', () => {
    const long = { ...unknownField, length: 99, hint: undefined } as unknown as Diagnostic;
    const out = renderDiagnostics([long, { ...cycle, file: '/nowhere.yaml', related: [] }], sources, { color: false });
    expect(out.split('\n').slice(0, 3)).toEqual([
      'runbooks/city.yaml:4:7: error: unknown field "tiemout" in step "cache" (did you mean "timeout"?)',
      ' 4 |       tiemout: 30s',
      '   |       ^~~~~~~~~~~~',
    ]);
    expect(out).toContain('/nowhere.yaml:5:15: warning: something odd\n\n1 error, 1 warning\n');
  });

  test('colour codes only when asked', () => {
    expect(renderDiagnostics([unknownField], sources, { color: false })).not.toMatch(/\u001b\[/);
    const colored = renderDiagnostics([unknownField], sources, { color: true });
    expect(colored).toContain('\u001b[31m');
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(renderDiagnostics([unknownField], sources, { color: false }));
  });

  test('a problem with the file itself, or with a flag, has no position: no fake :0:0', () => {
    const missing: Diagnostic = {
      severity: 'error',
      code: 'file-not-found',
      message: 'no such file or directory',
      file: resolve(process.cwd(), 'nope.yaml'),
      line: 0,
      column: 0,
    };
    const flag: Diagnostic = {
      severity: 'error',
      code: 'bad-plugin',
      message: 'plugin "x.mjs": file not found',
      file: '--plugin',
      line: 0,
      column: 0,
    };
    expect(renderDiagnostics([missing, flag], sources, { color: false })).toBe(
      [
        'nope.yaml: error: no such file or directory',
        '',
        '--plugin: error: plugin "x.mjs": file not found',
        '',
        '2 errors, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  test('plural summary', () => {
    expect(renderDiagnostics([], sources, { color: false })).toBe('0 errors, 0 warnings\n');
  });
});
