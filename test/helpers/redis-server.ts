import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { makeTmpDir } from './tmp-dir.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Start a throw-away redis-server on a free loopback port; stop() kills it by its pid. */
export async function startRedis(extraArgs: readonly string[] = []): Promise<TestRedis> {
  const { dir, cleanup } = await makeTmpDir('drctl-redis-');
  const port = await freePort();
  const pidfile = path.join(dir, 'redis.pid');
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'yes',
    '--pidfile',
    pidfile,
    '--repl-diskless-sync-delay',
    '0',
    ...extraArgs,
  ]);
  const pid = Number((await waitFor(() => readFile(pidfile, 'utf8').catch(() => ''), 'redis pidfile')).trim());
  await waitFor(async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.includes('PONG'), 'redis ping');
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid,
    async stop() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await cleanup();
    },
  };
}
