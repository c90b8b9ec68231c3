import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labFreeze, labStatus, labThaw, labUp, loadLabState, type LabState } from '../../../src/lab/index.js';
import { isAlive } from '../../../src/lab/process.js';
import { freeBasePort } from '../../helpers/lab-processes.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// The whole estate once, in a temp folder on a free range of ports; labDown in afterAll stops it by pid.
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let state: LabState;

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-lab-');
  dir = tmp.dir;
  cleanup = tmp.cleanup;
  state = await labUp({ dir, basePort: await freeBasePort() });
}, 120_000);

afterAll(async () => {
  await labDown(dir);
  await cleanup();
});

describe('lab', () => {
  it('starts every server, tracked by pid in lab.json', async () => {
    expect((await loadLabState(dir))?.processes.length).toBe(18);
    const kinds = new Set(state.processes.map((p) => p.kind));
    expect([...kinds].sort()).toEqual(['config-centre', 'dc-app', 'haproxy', 'named', 'postgres', 'redis', 'sentinel']);
    expect(state.processes.every((p) => p.port >= state.basePort && p.port <= state.basePort + 70)).toBe(true);
  });

  it('status shows everything up with the right primaries', async () => {
    const s = await labStatus(dir);
    expect(s.running).toBe(true);
    expect(s.processes.filter((p) => !p.alive || p.frozen)).toEqual([]);
    expect(s.redis.map((r) => [r.group, r.masterDc])).toEqual([['cache-a', 'hz-a'], ['cache-b', 'hz-b']]);
    expect(s.pgPrimary).toEqual({ name: 'pg-hz-a', dc: 'hz-a' });
    expect(s.haproxy.map((h) => `${h.server}=${h.state}`)).toEqual(['hz-a=ready', 'hz-b=ready', 'sh-a=maint', 'sh-b=maint', 'sz-a=maint']);
    expect(s.dns).toEqual({ name: 'cashier.example.test', answer: ['127.0.0.10'] });
    expect(s.middlewareActiveDc).toBe('hz-a');
    expect(s.processes.find((p) => p.name === 'cache-a-sh-a')?.role).toBe('replica');
  });

  it('refuses a second up on the same folder', async () => {
    await expect(labUp({ dir, basePort: state.basePort })).rejects.toThrow(/a lab is already running in .* run "drctl lab down" first/);
  });

  it('refuses ports in use, naming them', async () => {
    const other = await makeTmpDir('drctl-lab-busy-');
    try {
      await expect(labUp({ dir: other.dir, basePort: state.basePort })).rejects.toThrow(`lab ports already in use: 127.0.0.1:${state.basePort} (redis cache-a-hz-a)`);
    } finally {
      await other.cleanup();
    }
  });

  it('freezes and thaws a data center', async () => {
    const frozen = await labFreeze(dir, 'hz-b');
    expect(frozen.map((p) => p.name).sort()).toEqual(['app-hz-b', 'cache-b-hz-b']);
    expect((await labStatus(dir)).processes.filter((p) => p.frozen).map((p) => p.name).sort()).toEqual(['app-hz-b', 'cache-b-hz-b']);
    await labThaw(dir, 'hz-b');
    expect((await labStatus(dir)).processes.filter((p) => p.frozen)).toEqual([]);
    await expect(labFreeze(dir, 'xx-9')).rejects.toThrow(/unknown data center "xx-9"/);
  });

  it('down stops every process by pid and is idempotent', async () => {
    const pids = (await labStatus(dir)).processes.map((p) => p.pid);
    await labDown(dir);
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
    expect(await labDown(dir)).toEqual([]);
    expect((await labStatus(dir)).running).toBe(false);
  });
});
