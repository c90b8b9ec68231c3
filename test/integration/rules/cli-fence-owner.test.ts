import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { RuleStore } from '../../../src/rules/store.js';
import { openFileStore } from '../../../src/rules/store-file.js';
import { openRuleStore } from '../../../src/rules/open-store.js';
import { openRedisStore } from '../../../src/rules/store-redis.js';
import { drctl, spawnDrctl } from '../../helpers/cli.js';
import { startTestEtcd, type TestEtcd } from '../../helpers/etcd-cluster.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { LAB_TOPOLOGY_FILE } from '../../unit/rules/lab-topology.js';

// Two copies of one `drctl rules flip` (the built CLI, as an SRE or cron would run it), on the file
// store, a real Redis and a real etcd cluster: the second never takes over a live fence, and takes over
// a dead or frozen one only with catch-up. Needs `npm run build` (spawns bin/drctl.js).

let redis: TestRedis;
let etcd: TestEtcd;
let prefixN = 0;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => void ([redis, etcd] = await Promise.all([startRedis(), startTestEtcd(3)])));
afterAll(async () => Promise.all([redis?.stop(), etcd?.stop()]));
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Fixture {
  readonly url: string;
  readonly store: RuleStore;
  readonly dir: string;
}

const kinds = {
  file: async (dir: string) => {
    const file = path.join(dir, 'rules.json');
    return { url: `file:${file}`, store: openFileStore(file) };
  },
  redis: async () => {
    const url = `${redis.url}?prefix=owner${++prefixN}:`;
    return { url, store: await openRedisStore(url) };
  },
  etcd: async () => {
    const url = etcd.url(`owner${++prefixN}`);
    return { url, store: await openRuleStore(url, process.cwd()) };
  },
};

const T = ['--topology', LAB_TOPOLOGY_FILE];
const flipArgs = (url: string, catchUp: readonly string[]) => [
  'rules',
  'flip',
  '--cut',
  'hz-a',
  '--yes',
  '--catch-up',
  JSON.stringify(catchUp),
  '--catch-up-timeout',
  '120s',
  ...T,
  '--store',
  url,
];
const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

describe.each(Object.entries(kinds))('two copies of one flip on the %s store (built CLI)', (_kind, make) => {
  async function fixture(): Promise<Fixture> {
    const { dir, cleanup } = await makeTmpDir('drctl-rules-owner-');
    const { url, store } = await make(dir);
    cleanups.push(async () => {
      await store.close();
      await cleanup();
    });
    const init = await drctl(['rules', 'init', ...T, '--store', url]);
    expect(init.exitCode).toBe(0);
    return { url, store, dir };
  }

  test('while the first waits for catch-up, the second is refused (exit 4) naming the first, runs no catch-up, and the first completes', async () => {
    const { url, store, dir } = await fixture();
    const gate = path.join(dir, 'caught-up');
    const first = spawnDrctl(flipArgs(url, ['sh', '-c', `test -e ${gate}`]));
    cleanups.unshift(async () => void first.kill('SIGKILL'));
    const fenced = await waitFor(async () => (await store.read())?.fence ?? undefined, 'the first flip to fence');
    expect(fenced.owner?.pid).toBe(first.pid);

    const secondLog = path.join(dir, 'second-caught-up');
    const second = await drctl(flipArgs(url, ['sh', '-c', `echo ran >> ${secondLog}`]));
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toContain(`error: "flip hz-a" is already running: shards 00-19 are write-fenced by pid ${first.pid} on host `);
    expect(await exists(secondLog)).toBe(false);
    const during = await store.read();
    expect(during).toMatchObject({ kind: 'fence' });
    expect(during?.fence?.owner?.id).toBe(fenced.owner?.id);
    expect(during?.map.owners[0]).toBe('RZ01');

    await writeFile(gate, '');
    const done = await first;
    expect(done.exitCode).toBe(0);
    expect(String(done.stdout)).toMatch(/flipped: version 1 → \d+; cut: hz-a$/);
    expect(await store.read()).toMatchObject({ kind: 'unfence', fence: null, cut: ['hz-a'] });
  });

  test('when the first dies with its fence up, a re-run takes the fence over and still waits for catch-up', async () => {
    const { url, store, dir } = await fixture();
    const first = spawnDrctl(flipArgs(url, ['sh', '-c', `test -e ${path.join(dir, 'never')}`]));
    await waitFor(async () => (await store.read())?.fence, 'the first flip to fence');
    first.kill('SIGKILL');
    await first;
    const log = path.join(dir, 'catch-up.log');
    const again = await drctl(flipArgs(url, ['sh', '-c', `echo ran >> ${log}`]));
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain(`taking over the fence of pid ${first.pid} on host `);
    expect(again.stderr).toContain(`(process ${first.pid} on `);
    expect((await readFile(log, 'utf8')).trim()).toBe('ran');
    const now = await store.read();
    expect(now).toMatchObject({ kind: 'unfence', fence: null, cut: ['hz-a'] });
    expect(now?.map.owners.slice(0, 20)).toEqual(Array(20).fill('RZ03'));
  });

  test('a flip frozen past its fence lease (SIGSTOP on drctl): a re-run takes the fence over, and the first, thawed, writes nothing more', async () => {
    const { url, store, dir } = await fixture();
    const gate = path.join(dir, 'caught-up');
    const first = spawnDrctl(flipArgs(url, ['sh', '-c', `test -e ${gate}`]));
    cleanups.unshift(async () => void first.kill('SIGKILL'));
    await waitFor(async () => (await store.read())?.fence, 'the first flip to fence');
    // freeze it outside the file store's write lock (held for the milliseconds of a write): frozen inside,
    // it would hold every other writer off for the lock's stale age
    for (;;) {
      process.kill(first.pid ?? 0, 'SIGSTOP');
      if (!url.startsWith('file:') || !(await exists(`${url.slice('file:'.length)}.lock`))) break;
      process.kill(first.pid ?? 0, 'SIGCONT');
      await new Promise((r) => setTimeout(r, 7));
    }
    try {
      // the frozen owner renews no more: wait until the store's own record says its lease has ended
      await waitFor(
        async () => {
          const until = (await store.read())?.fence?.owner?.leaseUntilIso;
          return until !== undefined && Date.now() > Date.parse(until);
        },
        "the frozen flip's fence lease to end",
        60_000,
        250,
      );
      const again = await drctl(flipArgs(url, ['true']));
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).toContain(`taking over the fence of pid ${first.pid} on host `);
    } finally {
      await writeFile(gate, ''); // the first's catch-up would now pass: only the fence can stop it
      process.kill(first.pid ?? 0, 'SIGCONT');
    }
    const settled = await store.read();
    expect(settled).toMatchObject({ kind: 'unfence', fence: null, cut: ['hz-a'] });
    const late = await first;
    expect(late.exitCode).not.toBe(0);
    expect(String(late.stderr)).toMatch(/the rules changed underneath this flip|lost the fence/);
    expect((await store.read())?.version).toBe(settled?.version);
  });
});

describe('--catch-up quoting (built CLI, file store)', () => {
  test('shell-quoted words reach the command as argv (no shell); a failing check names the command', async () => {
    const { dir, cleanup } = await makeTmpDir('drctl-rules-quote-');
    cleanups.push(cleanup);
    const url = `file:${path.join(dir, 'rules.json')}`;
    expect((await drctl(['rules', 'init', ...T, '--store', url])).exitCode).toBe(0);
    const failing = await drctl([
      'rules',
      'flip',
      '--cut',
      'sz-a',
      '--yes',
      '--catch-up',
      `sh -c 'echo "lag: 7 MB" >&2; exit 3'`,
      '--catch-up-timeout',
      '100ms',
      ...T,
      '--store',
      url,
    ]);
    expect(failing.exitCode).toBe(1);
    expect(failing.stderr).toContain(`catch-up: sh -c 'echo "lag: 7 MB" >&2; exit 3' exited 3: lag: 7 MB`);
    expect(failing.stderr).toMatch(
      /error: data did not catch up within 100ms: .*; the fence was lifted and the old map \(version 1\) stays/,
    );
    const ok = await drctl(['rules', 'flip', '--cut', 'sz-a', '--yes', '--catch-up', "sh -c 'test 1 -eq 1'", ...T, '--store', url]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/flipped: version 3 → 6; cut: sz-a$/);
  });
});
