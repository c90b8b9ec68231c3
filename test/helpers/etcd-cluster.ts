import { randomBytes } from 'node:crypto';
import {
  etcdClusterStatus,
  startEtcdCluster,
  startEtcdMember,
  waitEtcdHealthy,
  type EtcdClusterOptions,
  type StartedEtcdMember,
} from '../../src/lab/etcd.js';
import { isAlive, stopPid } from '../../src/lab/process.js';
import { freePort } from './free-port.js';
import { makeTmpDir } from './tmp-dir.js';
import { waitFor } from './wait-for.js';

/** A private etcd cluster for one test file: real members on free loopback ports, stopped by pid. */
export interface TestEtcd {
  readonly members: readonly StartedEtcdMember[];
  /** "127.0.0.1:P1,127.0.0.1:P2,..." */
  readonly hosts: string;
  /** etcd://members/PREFIX[?query] */
  url(prefix: string, query?: string): string;
  /** The member that leads now (waits for one). */
  leader(): Promise<StartedEtcdMember>;
  pidOf(name: string): number;
  freeze(name: string): void;
  thaw(name: string): void;
  /** SIGKILL a member; restart() brings it back from its data folder. */
  kill(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestEtcd(size = 3): Promise<TestEtcd> {
  const { dir, cleanup } = await makeTmpDir('drctl-etcd-');
  const specs = [];
  for (let i = 0; i < size; i++) specs.push({ name: `m${i + 1}`, clientPort: await freePort(), peerPort: await freePort() });
  const options: EtcdClusterOptions = { dir, members: specs, token: `drctl-test-${randomBytes(4).toString('hex')}` };
  const pids = new Map<string, number>();
  let members: StartedEtcdMember[];
  try {
    members = await startEtcdCluster({ ...options, onStart: (m) => void pids.set(m.name, m.pid) });
  } catch (e) {
    await Promise.all([...pids.values()].map((pid) => stopPid(pid, 'SIGKILL', 1000)));
    await cleanup();
    throw e;
  }
  const spec = (name: string) => {
    const m = specs.find((x) => x.name === name);
    if (!m) throw new Error(`no member ${name}`);
    return m;
  };
  const pidOf = (name: string): number => {
    const pid = pids.get(name);
    if (pid === undefined) throw new Error(`no member ${name}`);
    return pid;
  };
  const hosts = specs.map((m) => `127.0.0.1:${m.clientPort}`).join(',');
  return {
    members,
    hosts,
    pidOf,
    url: (prefix, query) => `etcd://${hosts}/${prefix}${query ? `?${query}` : ''}`,
    leader: async () => {
      const name = await waitFor(async () => (await etcdClusterStatus(specs.map((m) => m.clientPort))).leader, 'an etcd leader');
      return members.find((m) => m.name === name) as StartedEtcdMember;
    },
    freeze: (name) => process.kill(pidOf(name), 'SIGSTOP'),
    thaw: (name) => process.kill(pidOf(name), 'SIGCONT'),
    kill: async (name) => {
      const pid = pidOf(name);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), `etcd ${name} to die`);
    },
    restart: async (name) => {
      const m = await startEtcdMember(options, spec(name), true);
      pids.set(name, m.pid);
      await waitEtcdHealthy(m.clientPort, 20_000, m);
    },
    stop: async () => {
      await Promise.all([...pids.values()].map((pid) => stopPid(pid, 'SIGTERM', 3000)));
      await cleanup();
    },
  };
}
