import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuleStore } from '../../../src/rules/open-store.js';
import { openStateStore } from '../../../src/state/open-store.js';
import { startTestEtcd, type TestEtcd } from '../../helpers/etcd-cluster.js';

const run = promisify(execFile);

// etcd with authentication on: the user and password of the URL (or DRCTL_ETCD_PASSWORD) reach etcd,
// permissions limited to the user's prefix are enough for everything drctl does, and a wrong password
// is one line that never shows it.
let etcd: TestEtcd;
beforeAll(async () => {
  etcd = await startTestEtcd(1);
  const ctl = (...args: string[]) => run('etcdctl', [`--endpoints=${etcd.hosts}`, ...args], { env: { PATH: process.env.PATH ?? '' } });
  await ctl('user', 'add', 'root:root-pw');
  await ctl('role', 'add', 'drctl');
  await ctl('role', 'grant-permission', 'drctl', '--prefix=true', 'readwrite', 'ops/');
  await ctl('user', 'add', 'ops:ops-pw');
  await ctl('user', 'grant-role', 'ops', 'drctl');
  await ctl('auth', 'enable');
});
afterAll(async () => etcd?.stop());

const holder = { runId: 'r1', mode: 'run', user: 'u', host: 'elsewhere', pid: 1, since: new Date().toISOString() };

describe('etcd with authentication', () => {
  it("the URL's user and password: lock, lease and fenced writes under the user's prefix", async () => {
    const store = await openStateStore(`etcd://ops:ops-pw@${etcd.hosts}/ops/state`);
    try {
      expect(store.label).toBe(`etcd://ops@${etcd.hosts}/ops/state`);
      const lease = await store.acquireLock('scope', holder, 2000);
      await expect(lease.renew()).resolves.toMatchObject({ runId: 'r1', token: 1 });
      await lease.release();
      expect(await store.readLock('scope')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('the password from DRCTL_ETCD_PASSWORD; the rules store too', async () => {
    process.env.DRCTL_ETCD_PASSWORD = 'ops-pw';
    try {
      const rules = await openRuleStore(`etcd://ops@${etcd.hosts}/ops/rules`, process.cwd());
      try {
        expect(await rules.read()).toBeUndefined();
      } finally {
        await rules.close();
      }
    } finally {
      delete process.env.DRCTL_ETCD_PASSWORD;
    }
  });

  it("a wrong password, or a prefix outside the user's permissions: one line naming the store, never the password", async () => {
    const wrong = await openStateStore(`etcd://ops:not-the-pw@${etcd.hosts}/ops/state`);
    try {
      const e = await wrong.readLock('scope').catch((x: unknown) => x as Error);
      expect(e).toMatchObject({
        code: 'store-unreachable',
        message: expect.stringMatching(/^state store unreachable: etcd:\/\/ops@127\.0\.0\.1:\d+\/ops\/state: .*authentication failed/i),
      });
      expect(e.message).not.toContain('not-the-pw');
    } finally {
      await wrong.close();
    }
    const outside = await openStateStore(`etcd://ops:ops-pw@${etcd.hosts}/elsewhere`);
    try {
      await expect(outside.acquireLock('scope', holder, 2000)).rejects.toMatchObject({
        code: 'store-unreachable',
        message: expect.stringContaining('permission denied'),
      });
    } finally {
      await outside.close();
    }
  });
});
