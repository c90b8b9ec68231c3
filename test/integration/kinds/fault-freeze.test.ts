import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultFreezeKind } from '../../../src/kinds/fault/freeze.js';
import { isStepError } from '../../../src/model/kind.js';
import { processState } from '../../../src/lab/process.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

/** PING with a 2 s limit (a live server answers in ms, also on a busy machine): 'PONG', or the error text (a frozen server never answers). */
async function ping(port: number): Promise<string> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.ping();
  } catch (e) {
    return `error: ${(e as Error).message}`;
  } finally {
    client.disconnect();
  }
}

describe('fault.freeze on a real redis-server (lab.json crafted around it)', () => {
  let hz: TestRedis;
  let sh: TestRedis;
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  const params = { labDir: 'lab', dcs: ['hz-a'] };
  beforeAll(async () => {
    [hz, sh] = await Promise.all([startRedis(), startRedis()]);
    ({ dir, cleanup } = await makeTmpDir('drctl-freeze-'));
    const proc = (name: string, dc: string, r: TestRedis) => ({
      name,
      kind: 'redis',
      dc,
      port: r.port,
      pid: r.pid,
      role: 'master',
      stopSignal: 'SIGTERM',
      logFile: '/dev/null',
    });
    const labDir = path.join(dir, 'lab');
    await import('node:fs/promises').then((fs) => fs.mkdir(labDir));
    await writeFile(
      path.join(labDir, 'lab.json'),
      JSON.stringify({ schemaVersion: 1, dir: labDir, processes: [proc('redis-hz-a', 'hz-a', hz), proc('redis-sh-a', 'sh-a', sh)] }),
    );
  });
  afterAll(async () => {
    for (const r of [hz, sh]) {
      try {
        process.kill(r.pid, 'SIGCONT');
      } catch {
        // gone
      }
      await r.stop();
    }
    await cleanup();
  });

  it('freezes only the cut data center: clients time out, then answer again after rollback', async () => {
    const ctx = makeKindContext({ baseDir: dir });
    const before = await faultFreezeKind.observe(params, ctx);
    expect(before).toEqual({ frozen: [], running: ['redis-hz-a'] });
    expect(faultFreezeKind.describe(params, before, undefined)).toBe('freeze hz-a (1 process)');
    const decision = faultFreezeKind.decide(params, before);
    expect(decision.action).toBe('change');
    if (decision.action !== 'change') return;
    await faultFreezeKind.apply(params, { current: before, desired: decision.desired }, ctx);

    // signals are delivered asynchronously: poll like the engine's verify does
    await waitFor(async () => faultFreezeKind.holds(params, decision.desired, await faultFreezeKind.observe(params, ctx)).ok, 'frozen');
    const during = await faultFreezeKind.observe(params, ctx);
    expect(during).toEqual({ frozen: ['redis-hz-a'], running: [] });
    expect(faultFreezeKind.holds(params, decision.desired, during)).toEqual({ ok: true });
    expect(faultFreezeKind.describe(params, before, decision.desired)).toBe('freeze hz-a (1 process)');
    expect(faultFreezeKind.describe(params, during, before)).toBe('thaw hz-a (1 process)');
    expect(processState(hz.pid)).toBe('T');
    expect(await ping(hz.port)).toMatch(/^error: /); // no answer: the connection never gets ready
    expect(await ping(sh.port)).toBe('PONG');
    expect(faultFreezeKind.decide(params, during)).toEqual({ action: 'noop', reason: 'already frozen (1 processes)' });

    await faultFreezeKind.rollback?.(params, { current: during, desired: before }, ctx);
    await waitFor(async () => faultFreezeKind.holds(params, before, await faultFreezeKind.observe(params, ctx)).ok, 'thawed');
    expect(await ping(hz.port)).toBe('PONG');
  });

  it('refuses an unknown data center or a missing lab without retrying', async () => {
    const ctx = makeKindContext({ baseDir: dir });
    const unknown = await faultFreezeKind.observe({ labDir: 'lab', dcs: ['xx-z'] }, ctx).catch((e: unknown) => e);
    expect(isStepError(unknown) && !unknown.retryable && unknown.message).toBe('unknown data center xx-z: the lab has hz-a, sh-a');
    const missing = await faultFreezeKind.observe({ labDir: 'nowhere', dcs: ['hz-a'] }, ctx).catch((e: unknown) => e);
    expect(isStepError(missing) && missing.message).toMatch(/no lab in .*nowhere \(no lab\.json\)/);
  });
});
