import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execKind } from '../../../src/kinds/exec.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTmpDir()));
afterEach(() => cleanup());

describe('exec kind with real commands', () => {
  it('observe decides, apply changes the file, rollback restores it', async () => {
    const flag = path.join(dir, 'flag');
    const params = { observe: { cmd: ['test', '-f', flag] }, apply: ['touch', flag], rollback: ['rm', flag] };
    const life = await runStepLife(execKind, params, { baseDir: dir });
    expect(life.before.done).toBe(false);
    expect(life.after?.done).toBe(true);
    expect(life.again?.action).toBe('noop');
    expect(life.restored?.done).toBe(false);
    await expect(readFile(flag)).rejects.toThrow();
  });

  it('doneWhen on output: stdoutEquals decides "already done"', async () => {
    await writeFile(path.join(dir, 'role'), 'master\n');
    const params = { observe: { cmd: ['cat', 'role'], doneWhen: { stdoutEquals: 'master' } }, apply: ['false'] };
    const life = await runStepLife(execKind, params, { baseDir: dir });
    expect(life.decision).toEqual({ action: 'noop', reason: 'already done' });
  });

  it('a command that does not exist fails once with a clear, non-retryable message', async () => {
    const ctx = makeKindContext({ baseDir: dir });
    const err = await execKind
      .apply({ apply: ['no-such-command-xyz'] }, { current: { done: null }, desired: { done: true } }, ctx)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'apply: command not found: no-such-command-xyz', retryable: false });
  });

  it('a failing command reports its exit code and the tail of its output', async () => {
    const ctx = makeKindContext({ baseDir: dir });
    const err = await execKind
      .apply({ apply: ['sh', '-c', 'echo boom >&2; exit 7'] }, { current: { done: null }, desired: { done: true } }, ctx)
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('apply: sh -c echo boom >&2; exit 7 exited with code 7: boom');
  });
});

describe('exec deadlines: a command waiting on a frozen server (SIGSTOP) never holds the step past its deadline', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis.stop());

  it('observe (redis-cli against the frozen server) stops within the grace when the signal aborts: the command is killed', async () => {
    const p = { observe: { cmd: ['redis-cli', '-p', String(redis.port), 'GET', 'k'], doneWhen: { stdoutEquals: 'v' } }, apply: ['true'] };
    const r = await whileFrozen([redis.pid], () =>
      abortMidStep((ctx) => execKind.observe(p, ctx), { port: redis.port, anyProcess: true, baseDir: dir }),
    );
    expectStoppedInGrace(r);
  });

  it('apply by a command that ignores SIGTERM stops within the grace too (SIGKILL after the kill grace)', async () => {
    const p = { apply: ['sh', '-c', `trap "" TERM; redis-cli -p ${redis.port} SET k v; sleep 600`] };
    const r = await whileFrozen([redis.pid], () =>
      abortMidStep((ctx) => execKind.apply(p, { current: { done: null }, desired: { done: true } }, ctx), {
        port: redis.port,
        anyProcess: true,
        baseDir: dir,
      }),
    );
    expectStoppedInGrace(r);
  });
});
