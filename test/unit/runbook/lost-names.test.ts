import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadBuiltinRegistry } from '../../../src/kinds/builtin.js';
import { resolveLostNames, runbookDcs, withFaultLostExpanded } from '../../../src/runbook/lost-names.js';
import { validateRunbookFile } from '../../../src/runbook/validate.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import type { Runbook } from '../../../src/runbook/types.js';
import { LAB_TOPOLOGY_FILE, labTopology } from '../rules/lab-topology.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const refused = (f: () => unknown): { exitCode: number; message: string } => {
  try {
    f();
  } catch (e) {
    return e as { exitCode: number; message: string };
  }
  throw new Error('not refused');
};

describe('--lost NAMES, one resolution for run, drill and respond', () => {
  test('with a topology: a city stands for its data centers, in topology order; duplicates fold', async () => {
    const topology = await labTopology();
    expect(resolveLostNames('sh,hz-a', { topology })).toEqual(['hz-a', 'sh-a', 'sh-b']);
    expect(resolveLostNames(' hz , hz-a ', { topology })).toEqual(['hz-a', 'hz-b']);
  });

  test('an unknown name, an empty item or nothing at all is a usage error (exit 3) naming --lost', async () => {
    const topology = await labTopology();
    const unknown = refused(() => resolveLostNames('hz-c', { topology }));
    expect(unknown.exitCode).toBe(3);
    expect(unknown.message).toMatch(/^--lost unknown data center or city "hz-c" in topology lab.*did you mean/);
    const empty = refused(() => resolveLostNames('hz-a,,hz-b', { topology }));
    expect(empty.exitCode).toBe(3);
    expect(empty.message).toBe('--lost "hz-a,,hz-b": data center names, comma-separated (e.g. --lost hz-a,hz-b)');
    expect(refused(() => resolveLostNames('', { dcs: ['hz-a'] })).message).toBe('--lost names no data center or city');
  });

  test('without a topology: only the data centers the runbook names as such, not any word of its text', () => {
    const runbook = {
      name: 'postgres-switch',
      steps: [
        {
          id: 'db-election',
          kind: 'db.primary',
          dcs: ['sz-a'],
          with: { members: [{ name: 'pg-hz-a', dc: 'hz-a' }, { dc: '${params.where}' }], expectDcs: ['sh-a'] },
        },
        { id: 'rules', kind: 'nginx.upstream', with: { dcs: { '127.0.0.1:1': 'hz-b' }, upstream: 'postgres' } },
      ],
      fault: { with: { host: 'x' }, lost: ['sh-b'] },
    } as unknown as Runbook;
    const dcs = runbookDcs(runbook, { cut: ['hz-a', 'zz-1'], where: 'ignored' });
    expect(dcs.sort()).toEqual(['hz-a', 'hz-b', 'sh-a', 'sh-b', 'sz-a', 'zz-1']);
    expect(resolveLostNames('hz-b,zz-1', { dcs })).toEqual(['hz-b', 'zz-1']);
    for (const word of ['postgres', 'db-election', 'pg-hz-a']) {
      const r = refused(() => resolveLostNames(word, { dcs }));
      expect(r.exitCode).toBe(3);
      expect(r.message).toContain(`--lost ${word}: no data center of that name in the runbook`);
    }
  });
});

describe("a rehearsal's fault.lost reads the topology as --lost does", () => {
  const book = async (lost: string): Promise<string> => {
    const { dir, cleanup } = await makeTmpDir('drctl-fault-lost-');
    cleanups.push(cleanup);
    const file = path.join(dir, 'cut.yaml');
    await writeFile(
      file,
      [
        'apiVersion: drctl/v1',
        'kind: Runbook',
        'metadata: { name: cut }',
        'spec:',
        `  topology: ${LAB_TOPOLOGY_FILE}`,
        '  fault:',
        '    kind: exec',
        '    with: { apply: [true], rollback: [true] }',
        `    lost: ${lost}`,
        '  steps:',
        '    - { id: noop, kind: exec, with: { apply: [true] } }',
        '',
      ].join('\n'),
    );
    return file;
  };

  test('a city stands for its data centers: lost: [hz] is hz-a, hz-b for the switch', async () => {
    const r = await validateRunbookFile(await book('[hz]'), loadBuiltinRegistry);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const runbook = r.runbook as Runbook;
    expect((await withFaultLostExpanded(runbook)).fault?.lost).toEqual(['hz-a', 'hz-b']);
  });

  test("one name without a list is read as a list of one (as a scenario's lost): lost: hz", async () => {
    const r = await validateRunbookFile(await book('hz'), loadBuiltinRegistry);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect((await withFaultLostExpanded(r.runbook as Runbook)).fault?.lost).toEqual(['hz-a', 'hz-b']);
  });

  test('a template in fault.lost is refused at its line and column (it would be taken for a name)', async () => {
    const r = await validateRunbookFile(await book('["${params.dc}"]'), loadBuiltinRegistry);
    expect(r.runbook).toBeUndefined();
    const errors = r.diagnostics.filter((d) => d.code === 'lost-reference');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ severity: 'error', line: 9, column: 13 });
    expect(errors[0]?.message).toContain('fault.lost: ${params.dc} is not read here');
  });

  test('a name the topology does not know is refused by validate at its line and column', async () => {
    const r = await validateRunbookFile(await book('[hz-a, hx]'), loadBuiltinRegistry);
    expect(r.runbook).toBeUndefined();
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 9, column: 18 });
    expect(errors[0]?.message).toMatch(/hx.*did you mean "hz"/);
  });
});
