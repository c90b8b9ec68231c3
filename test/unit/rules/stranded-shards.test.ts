import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { checkStrandedShards } from '../../../src/rules/stranded-shards.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { LAB_TOPOLOGY_FILE } from './lab-topology.js';

test('a safe cut has no diagnostics', async () => {
  expect(await checkStrandedShards(LAB_TOPOLOGY_FILE, ['hz-a', 'hz-b'])).toEqual([]);
});

test('an overloading cut points at the zone capacity; an unknown dc at the runbook position', async () => {
  const ds = await checkStrandedShards(LAB_TOPOLOGY_FILE, ['hz-a', 'hz-b', 'sh-a', 'sh-b']);
  expect(ds.map((d) => `${path.basename(d.file)}:${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
    'topology.yaml:36:21 flip-over-capacity cutting hz-a, hz-b, sh-a, sh-b: zone RZ05 (sz-a) would own 100 shards but its capacity is 60: over by 40',
  ]);
  const unknown = await checkStrandedShards(LAB_TOPOLOGY_FILE, ['hz-x'], { file: 'rb.yaml', line: 9, column: 7 });
  expect(unknown.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual(['rb.yaml:9:7 flip-unknown-dc']);
});

test('a stranded shard points at the zone partners', async () => {
  const { dir, cleanup } = await makeTmpDir();
  try {
    const file = path.join(dir, 't.yaml');
    await writeFile(
      file,
      'apiVersion: drctl/v1\nkind: Topology\nspec:\n  shardCount: 2\n  cities:\n    c:\n      dcs:\n        d1:\n          zones:\n            A: { capacity: 2, shards: ["0"], partners: [B] }\n        d2:\n          zones:\n            B: { capacity: 2, shards: ["1"], partners: [A] }\n',
    );
    const ds = await checkStrandedShards(file, ['d1', 'd2']);
    expect(ds.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['10:46 flip-partner-loop', '13:46 flip-partner-loop']);
  } finally {
    await cleanup();
  }
});
