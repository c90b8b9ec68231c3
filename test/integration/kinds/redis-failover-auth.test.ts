import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisFailoverKind as kind, type RedisFailoverParams } from '../../../src/kinds/redis-failover/index.js';
import { isStepError } from '../../../src/model/kind.js';
import { redisCli, startRedisServer } from '../../../src/lab/redis.js';
import { startSentinel } from '../../../src/lab/sentinel.js';
import { Secret } from '../../../src/util/secret.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// Real servers: a Redis with requirepass, one without, and a sentinel whose default user has a password.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let locked = '';
let open = '';
let sentinel = '';
const PASSWORD = 'right-horse-battery';

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-redis-auth-');
  cleanup = tmp.cleanup;
  const [lp, op, sp] = [await freePort(), await freePort(), await freePort()];
  const l = await startRedisServer({ dir: path.join(tmp.dir, 'locked'), port: lp });
  procs.add(l.pid);
  expect(await redisCli(lp, ['CONFIG', 'SET', 'requirepass', PASSWORD])).toBe('OK');
  const o = await startRedisServer({ dir: path.join(tmp.dir, 'open'), port: op });
  procs.add(o.pid);
  const s = await startSentinel({ dir: path.join(tmp.dir, 'sentinel'), port: sp, monitors: [{ name: 'grp', masterPort: op }], quorum: 1 });
  procs.add(s.pid);
  expect(await redisCli(sp, ['ACL', 'SETUSER', 'default', 'resetpass', `>${PASSWORD}`])).toBe('OK');
  [locked, open, sentinel] = [`127.0.0.1:${lp}`, `127.0.0.1:${op}`, `127.0.0.1:${sp}`];
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

const direct = (addr: string, password?: string): RedisFailoverParams => ({
  master: 'direct',
  to: 'sh-b',
  nodes: [{ addr, dc: 'hz-b' }],
  nodeTimeout: '2s',
  ...(password === undefined ? {} : { password: new Secret(password, 'REDIS_PASSWORD') }),
});

async function failure(p: RedisFailoverParams): Promise<Error> {
  const ctx = makeKindContext({ timeoutMs: 10_000 });
  const e = await kind.observe(p, ctx).catch((x: unknown) => x);
  expect(ctx.signal.aborted).toBe(false);
  if (!(e instanceof Error)) throw new Error(`observe succeeded: ${JSON.stringify(e)}`);
  return e;
}

describe('redis.failover authentication', () => {
  it('a wrong password fails the step (not retryable), naming the server, never as a cut node', async () => {
    const e = await failure(direct(locked, 'wrong'));
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect(e.message).toMatch(new RegExp(`^redis ${locked}: authentication failed \\(WRONGPASS`));
    expect(e.message).not.toContain('unreachable');
    expect(e.message).not.toContain('wrong');
  });

  it('no password against a server that requires one says so', async () => {
    const e = await failure(direct(locked));
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect(e.message).toBe(
      `redis ${locked}: authentication failed: the server requires a password and none is configured (NOAUTH Authentication required.)`,
    );
  });

  it('the right password reads the node', async () => {
    const s = await kind.observe(direct(locked, PASSWORD), makeKindContext());
    expect(s.nodes.map((n) => [n.addr, n.role])).toEqual([[locked, 'master']]);
  });

  it('a password the server does not need is a note on the step, not a console line', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    try {
      const ctx = makeKindContext();
      const s = await kind.observe(direct(open, PASSWORD), ctx);
      expect(s.nodes.map((n) => n.role)).toEqual(['master']);
      expect(ctx.notes['passwordNotRequired']).toEqual([open]);
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('a wrong sentinelPassword fails naming the sentinel, not "sentinels unreachable"', async () => {
    const p: RedisFailoverParams = {
      sentinels: [sentinel],
      master: 'grp',
      to: 'sh-a',
      nodes: [{ addr: open, dc: 'hz-a' }],
      sentinelPassword: new Secret('nope', 'S'),
    };
    const e = await failure(p);
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect(e.message).toMatch(new RegExp(`^redis ${sentinel}: authentication failed \\(WRONGPASS`));
    const ok = await kind.observe({ ...p, sentinelPassword: new Secret(PASSWORD, 'S') }, makeKindContext());
    expect(ok.master).toBe(open);
  });
});
