import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { drctl, spawnDrctl } from '../../helpers/cli.js';
import { startTestEtcd, type TestEtcd } from '../../helpers/etcd-cluster.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { LAB_TOPOLOGY_FILE } from '../../unit/rules/lab-topology.js';

// `drctl rules watch` as an application would use it: the built CLI subscribed to a real Redis (pub/sub)
// or a real etcd cluster (watch) while other drctl processes flip, roll back and fail back. Needs `npm run build`.

let redis: TestRedis;
let etcd: TestEtcd;
beforeAll(async () => void ([redis, etcd] = await Promise.all([startRedis(), startTestEtcd(3)])));
afterAll(async () => Promise.all([redis?.stop(), etcd?.stop()]));

const T = ['--topology', LAB_TOPOLOGY_FILE];

describe.each([
  ['Redis', 'redis://', () => `${redis.url}?prefix=watch:`],
  ['etcd', 'etcd://', () => etcd.url('watch')],
])('rules watch on a %s store (built CLI)', (_backend, scheme, urlOf) => {
  test('sees every version once, in order, while flips happen in other processes', async () => {
    const url = urlOf();
    const init = await drctl(['rules', 'init', ...T, '--store', url]);
    expect(init.exitCode).toBe(0);
    const watch = spawnDrctl(['rules', 'watch', '--store', url, '--count', '12']);
    let stderr = '';
    watch.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
    try {
      await waitFor(() => stderr.includes(`watching ${scheme}`), 'the watcher to subscribe');
      const steps = [
        ['rules', 'flip', '--cut', 'hz-a,hz-b', '--yes', '--no-catch-up', ...T, '--store', url],
        ['rules', 'flip', '--cut', 'sh-a', '--yes', '--no-catch-up', ...T, '--store', url],
        ['rules', 'rollback', '--to', '4', '--yes', '--catch-up', 'true', '--store', url],
        ['rules', 'rollback', '--to', '1', '--yes', '--no-catch-up', '--store', url],
      ];
      for (const args of steps) expect((await drctl(args)).exitCode).toBe(0);
      const w = await watch;
      expect(w.exitCode).toBe(0);
      const lines = String(w.stdout)
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+ /, ''));
      expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
        'v2 fence',
        'v3 map',
        'v4 unfence',
        'v5 fence',
        'v6 map',
        'v7 unfence',
        'v8 fence',
        'v9 rollback',
        'v10 unfence',
        'v11 fence',
        'v12 rollback',
        'v13 unfence',
      ]);
      expect(lines[1]).toBe('v3 map      shards 00-19: RZ01 → RZ03; shards 20-39: RZ02 → RZ04; cut: hz-a, hz-b');
      expect(lines[4]).toBe('v6 map      shards 00-19, 40-59: RZ03 → RZ05; cut: hz-a, hz-b, sh-a');
      expect(lines[7]).toBe('v9 rollback shards 00-19, 40-59: RZ05 → RZ03; cut: hz-a, hz-b');
      expect(lines[9]).toBe('v11 fence    shards 00-39 write-forbidden by "rollback to v1"');
      expect(lines[10]).toBe('v12 rollback shards 00-19: RZ03 → RZ01; shards 20-39: RZ04 → RZ02; cut: none');
    } finally {
      watch.kill('SIGKILL');
    }
  });
});
