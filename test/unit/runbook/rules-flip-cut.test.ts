import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltinRegistry } from '../../../src/kinds/builtin.js';
import { validateRunbookFile } from '../../../src/runbook/validate.js';

const dir = path.resolve('test/fixtures/runbooks/rules');

describe('validate: a rules flip that would strand shards or overfill a zone', () => {
  it('is an error pointing into the topology file, using the param default for the cut', async () => {
    const v = await validateRunbookFile(path.join(dir, 'strand.yaml'), await loadBuiltinRegistry());
    expect(v.runbook).toBeUndefined();
    const d = v.diagnostics.find((x) => x.code.startsWith('flip-'));
    expect(d?.file).toBe(path.join(dir, 'topology.yaml'));
    expect(d?.message).toMatch(
      /^cutting hz-a, hz-b, sh-a, sh-b: zone RZ05 \(sz-a\) would own 100 shards but its capacity is 60: over by 40/,
    );
  });
  it('a flip the partners can absorb validates', async () => {
    const v = await validateRunbookFile(path.join(dir, 'ok-cut.yaml'), await loadBuiltinRegistry());
    expect(v.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  });
});
