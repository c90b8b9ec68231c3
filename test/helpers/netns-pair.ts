import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/**
 * Two network namespaces joined by a veth pair, with a real redis-server inside B: a "data center" (B)
 * and a client (A) whose link to it fault.link can cut. Names and the 10.213.0.0/16 addresses are
 * unique per test process. Needs root.
 */
export interface NetnsPair {
  /** Client namespace and its end of the veth. */
  readonly a: string;
  readonly devA: string;
  /** Data-center namespace (runs redis-server) and its end of the veth. */
  readonly b: string;
  readonly devB: string;
  readonly addrB: string;
  readonly port: number;
  /** `redis-cli PING` from A to B's server, 2 s at most: 'PONG', or `no answer (exit N): …`. */
  ping(): Promise<string>;
  /** Set both ends up and wait until PING answers (undo whatever a test left). */
  heal(): Promise<void>;
  /** Kill redis-server, delete both namespaces (the veth goes with them). */
  stop(): Promise<void>;
}

const ip = (...args: string[]) => run('ip', args);

/** Why namespace tests cannot run here (not root, no `ip netns add`), or undefined when they can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root: network namespaces (ip netns add) are root-only';
  const probe = `drctl-t-${process.pid}-probe`;
  try {
    await ip('netns', 'add', probe);
  } catch (e) {
    return `ip netns add failed: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`;
  }
  await ip('netns', 'del', probe).catch(() => {});
  return undefined;
}

export async function startNetnsPair(): Promise<NetnsPair> {
  const pid = process.pid;
  const a = `drctl-t-${pid}-a`;
  const b = `drctl-t-${pid}-b`;
  const devA = `dt${pid % 1e7}a`; // ≤ 15 characters
  const devB = `dt${pid % 1e7}b`;
  const net = `10.213.${(pid >> 6) & 255}`;
  const base = (pid & 63) * 4; // a /30 of its own
  const addrA = `${net}.${base + 1}`;
  const addrB = `${net}.${base + 2}`;
  const port = 16379;
  for (const ns of [a, b]) await ip('netns', 'del', ns).catch(() => {}); // a leftover of a killed run with this pid
  let redisPid: number | undefined;
  const stop = async (): Promise<void> => {
    if (redisPid !== undefined) {
      try {
        process.kill(-redisPid, 'SIGKILL'); // its own session and group (detached)
      } catch {
        // already gone
      }
    }
    for (const ns of [a, b]) await ip('netns', 'del', ns).catch(() => {});
  };
  try {
    await ip('netns', 'add', a);
    await ip('netns', 'add', b);
    await ip('link', 'add', devA, 'netns', a, 'type', 'veth', 'peer', 'name', devB, 'netns', b);
    await ip('-n', a, 'addr', 'add', `${addrA}/30`, 'dev', devA);
    await ip('-n', b, 'addr', 'add', `${addrB}/30`, 'dev', devB);
    for (const [ns, dev] of [
      [a, 'lo'],
      [b, 'lo'],
      [a, devA],
      [b, devB],
    ] as const)
      await ip('-n', ns, 'link', 'set', 'dev', dev, 'up');
    // detached = setsid: signals to the test runner's group never reach it; `ip netns exec` execs redis-server (same pid)
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        b,
        'redis-server',
        '--port',
        String(port),
        '--bind',
        addrB,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--protected-mode',
        'no', // it listens only inside the private namespaces
      ],
      {
        detached: true,
        stdio: 'ignore',
        cwd: tmpdir(),
      },
    );
    child.unref();
    redisPid = child.pid;
    let exited = '';
    child.once('exit', (code, signal) => (exited = `redis-server in ${b} exited (${signal ?? code})`));
    const ping = async (): Promise<string> => {
      try {
        const r = await run('ip', ['netns', 'exec', a, 'timeout', '2', 'redis-cli', '-h', addrB, '-p', String(port), 'PING']);
        return r.stdout.trim();
      } catch (e) {
        const x = e as { code?: number | string; stdout?: string; stderr?: string };
        return `no answer (exit ${x.code}): ${`${x.stdout ?? ''} ${x.stderr ?? ''}`.trim()}`;
      }
    };
    let last = '';
    await waitFor(async () => {
      if (exited) throw new Error(exited);
      return (last = await ping()) === 'PONG';
    }, `PONG from redis-server at ${addrB}:${port} in ${b}`).catch((e: unknown) => {
      throw new Error(`${(e as Error).message} (last: ${last})`);
    });
    const heal = async (): Promise<void> => {
      for (const [ns, dev] of [
        [a, devA],
        [b, devB],
      ] as const)
        await ip('-n', ns, 'link', 'set', 'dev', dev, 'up');
      await waitFor(async () => (await ping()) === 'PONG', 'PONG after healing the veth');
    };
    return { a, devA, b, devB, addrB, port, ping, heal, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
