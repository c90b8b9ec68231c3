import { describe, expect, test } from 'vitest';
import { parseYamlText } from '../../../src/yaml/file.js';

const TEXT = `spec:
  steps:
    - id: a
      needs: [b, "c"]
      with:
        cmd: [echo, "x \${params.cut} y"]
    - id: b
      alias: &anchor { deep: 1 }
      copy: *anchor
`;
const { sourceMap } = parseYamlText('/r.yaml', TEXT);

describe('SourceMap', () => {
  test('locates values by data path (scalars get their length; quotes included)', () => {
    expect(sourceMap.locate(['spec', 'steps', 0, 'needs', 0])).toEqual({ file: '/r.yaml', line: 4, column: 15, length: 1 });
    expect(sourceMap.locate(['spec', 'steps', 0, 'needs', 1])).toEqual({ file: '/r.yaml', line: 4, column: 18, length: 3 });
    expect(sourceMap.locate(['spec', 'steps', 1, 'id'])).toMatchObject({ line: 7, column: 11 });
  });

  test('a flow collection underlines itself; a block map points at its first key', () => {
    expect(sourceMap.locate(['spec', 'steps', 0, 'needs'])).toMatchObject({ line: 4, column: 14, length: 8 });
    expect(sourceMap.locate(['spec', 'steps', 0])).toMatchObject({ line: 3, column: 7, length: 1 });
  });

  test('a missing key falls back to the parent map; a missing index to the sequence', () => {
    expect(sourceMap.locate(['spec', 'steps', 0, 'kind'])).toMatchObject({ line: 3, column: 7 });
    expect(sourceMap.locate(['spec', 'steps', 0, 'with', 'cwd', 'deeper'])).toMatchObject({ line: 6, column: 9 });
    expect(sourceMap.locate(['spec', 'steps', 0, 'needs', 9])).toMatchObject({ line: 4, column: 14 });
  });

  test('locateKey points at the key, not the value', () => {
    expect(sourceMap.locateKey(['spec', 'steps', 0, 'needs'])).toEqual({ file: '/r.yaml', line: 4, column: 7, length: 5 });
    expect(sourceMap.locateKey(['spec', 'steps', 0, 'nope'])).toMatchObject({ line: 3, column: 7 });
  });

  test('locateText finds a reference inside a quoted string', () => {
    expect(sourceMap.locateText(['spec', 'steps', 0, 'with', 'cmd', 1], '${params.cut}')).toEqual({
      file: '/r.yaml',
      line: 6,
      column: 24,
      length: 13,
    });
  });

  test('follows aliases', () => {
    expect(sourceMap.locate(['spec', 'steps', 1, 'copy', 'deep'])).toMatchObject({ line: 8, column: 30 });
  });
});
