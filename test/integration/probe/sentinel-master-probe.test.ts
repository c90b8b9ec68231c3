import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCli, startRedisServer } from '../../../src/lab/redis.js';
import { startSentinel } from '../../../src/lab/sentinel.js';
import { runProbeOnce } from '../../../src/probe/run-once.js';
import type { Probe } from '../../../src/runbook/types.js';
import { Secret } from '../../../src/util/secret.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// A redis probe with `master:` asks the sentinel at addr for that master, then sends its command there:
// what a Sentinel client is given, checked on the server it is given. Real redis-server and sentinel.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let masterPort = 0;
let masterPid = 0;
let sentinel = '';
let sentinelPid = 0;
let lockedSentinel = '';
const PASSWORD = 'sentinel-horse-battery';

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-sentinel-probe-');
  cleanup = tmp.cleanup;
  const [mp, sp, lp] = [await freePort(), await freePort(), await freePort()];
  const m = await startRedisServer({ dir: path.join(tmp.dir, 'master'), port: mp });
  procs.add(m.pid);
  const s = await startSentinel({ dir: path.join(tmp.dir, 'sentinel'), port: sp, monitors: [{ name: 'grp', masterPort: mp }], quorum: 1 });
  procs.add(s.pid);
  sentinelPid = s.pid;
  const l = await startSentinel({ dir: path.join(tmp.dir, 'locked'), port: lp, monitors: [{ name: 'grp', masterPort: mp }], quorum: 1 });
  procs.add(l.pid);
  expect(await redisCli(lp, ['ACL', 'SETUSER', 'default', 'resetpass', `>${PASSWORD}`])).toBe('OK');
  [masterPort, masterPid, sentinel, lockedSentinel] = [mp, m.pid, `127.0.0.1:${sp}`, `127.0.0.1:${lp}`];
}, 60_000);

afterAll(async () => {
  for (const pid of [masterPid, sentinelPid])
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
  await procs.stopAll();
  await cleanup();
});

const probe = (redis: Record<string, unknown>, timeoutMs = 2000): Probe =>
  ({ type: 'redis', name: 'cache-has-a-master', redis, expect: { path: '[0]', equals: 'master' }, timeoutMs }) as Probe;

describe('redis probe through Sentinel (master:)', () => {
  it('sends the command to the master the sentinel names, and says which', async () => {
    const r = await runProbeOnce(probe({ addr: sentinel, master: 'grp', command: ['ROLE'] }), makeKindContext());
    expect(r).toMatchObject({
      kind: 'ok',
      detail: expect.stringMatching(new RegExp(`^grp at 127\\.0\\.0\\.1:${masterPort}: ROLE → \\["master"`)),
    });
  });

  it('a master name the sentinel does not monitor fails, naming it', async () => {
    const r = await runProbeOnce(probe({ addr: sentinel, master: 'nope', command: ['ROLE'] }), makeKindContext());
    expect(r).toEqual({ kind: 'failure', detail: `sentinel ${sentinel} names no master for nope` });
  });

  it('the master named but frozen: the probe does not hold (the clients would get no answer)', async () => {
    process.kill(masterPid, 'SIGSTOP');
    try {
      const r = await runProbeOnce(probe({ addr: sentinel, master: 'grp', command: ['ROLE'] }, 300), makeKindContext());
      expect(r.kind).toBe('error');
      // names the master it was asking, not only the sentinel
      expect(r.detail).toBe(`redis grp (sentinel ${sentinel}) ROLE at 127.0.0.1:${masterPort}: no answer within 300ms`);
    } finally {
      process.kill(masterPid, 'SIGCONT');
    }
  });

  it('the sentinel frozen: the probe names the sentinel it was asking', async () => {
    process.kill(sentinelPid, 'SIGSTOP');
    try {
      const r = await runProbeOnce(probe({ addr: sentinel, master: 'grp', command: ['ROLE'] }, 300), makeKindContext());
      expect(r).toEqual({ kind: 'error', detail: `sentinel ${sentinel} get-master-addr-by-name grp: no answer within 300ms` });
    } finally {
      process.kill(sentinelPid, 'SIGCONT');
    }
  });

  it('a sentinel with a password: refused without sentinelPassword, answered with it', async () => {
    const without = await runProbeOnce(probe({ addr: lockedSentinel, master: 'grp', command: ['ROLE'] }), makeKindContext());
    expect(without.kind).not.toBe('ok');
    expect(without.detail).toMatch(new RegExp(`^sentinel ${lockedSentinel} get-master-addr-by-name grp: NOAUTH`));
    const withIt = await runProbeOnce(
      probe({ addr: lockedSentinel, master: 'grp', command: ['ROLE'], sentinelPassword: new Secret(PASSWORD, 'S') }),
      makeKindContext(),
    );
    expect(withIt.kind).toBe('ok');
  });
});
