import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execKind } from '../../../src/kinds/exec.js';
import { makeKindContext } from '../../helpers/kind-context.js';
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
    const err = await execKind.apply({ apply: ['no-such-command-xyz'] }, { current: { done: null }, desired: { done: true } }, ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'apply: command not found: no-such-command-xyz', retryable: false });
  });

  it('a failing command reports its exit code and the tail of its output', async () => {
    const ctx = makeKindContext({ baseDir: dir });
    const err = await execKind.apply({ apply: ['sh', '-c', 'echo boom >&2; exit 7'] }, { current: { done: null }, desired: { done: true } }, ctx).catch((e: unknown) => e);
    expect((err as Error).message).toBe('apply: sh -c echo boom >&2; exit 7 exited with code 7: boom');
  });
});
