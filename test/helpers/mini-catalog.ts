import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A catalog of recovery plans without servers, in DIR: two cities (east: e-1, e-2; west: w-1) and one
 * exec runbook, east-cut, answering the loss of east (its step needs w-1: survivable). Its files live in
 * DIR; `breach` there breaches its stop condition (a rehearsal then FAILS before injecting anything).
 */
export async function writeMiniCatalog(dir: string): Promise<{ dir: string; runbook: string; breach: string }> {
  await mkdir(dir, { recursive: true });
  const f = (name: string): string => path.join(dir, name);
  const flag = (name: string) =>
    JSON.stringify({ observe: { cmd: ['test', '-e', f(name)] }, apply: ['touch', f(name)], rollback: ['rm', '-f', f(name)] });
  await writeFile(
    f('topology.yaml'),
    `apiVersion: drctl/v1
kind: Topology
metadata: { name: two-cities }
spec:
  shardCount: 4
  cities:
    east:
      dcs:
        e-1: { zones: { Z1: { capacity: 4, shards: ["0-1"], partners: [Z3] } } }
        e-2: { zones: { Z2: { capacity: 4, shards: ["2"], partners: [Z3] } } }
    west:
      dcs:
        w-1: { zones: { Z3: { capacity: 4, shards: ["3"], partners: [Z1, Z2] } } }
`,
  );
  await writeFile(
    f('east.yaml'),
    `apiVersion: drctl/v1
kind: Runbook
metadata: { name: east-cut }
spec:
  budget: 20s
  topology: topology.yaml
  scenarios:
    - { name: east-down, lost: east }
  fault:
    kind: exec
    with: ${flag('cut')}
    detect: [{ name: seen, exec: [test, -e, ${f('cut')}], interval: 50ms }]
    detectTimeout: 10s
    recoverTimeout: 10s
  stopConditions:
    - { name: no-breach, exec: [sh, -c, "! [ -e ${f('breach')} ]"], interval: 50ms }
  steps:
    - id: move
      kind: exec
      dc: w-1
      with: ${flag('moved')}
`,
  );
  return { dir, runbook: f('east.yaml'), breach: f('breach') };
}
