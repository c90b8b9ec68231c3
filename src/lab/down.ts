import { isAlive, stopPid } from './process.js';
import { removePrivatePgRoot } from './pg-root.js';
import { PRIVATE_MARIADB_PREFIX } from './mariadb-pair.js';
import { removePrivateRoot } from './private-root.js';
import { livePid, loadLabState } from './state-file.js';
import { deleteLabNetns } from './netns.js';

/**
 * Stop every process of the lab in dir by its pid (its stop signal, thawing it if frozen, then SIGKILL
 * after a grace). Idempotent: no lab.json or dead pids are fine. The folder stays (logs) until the next up;
 * a private PostgreSQL folder under /tmp (pg-root.ts) is removed.
 * Returns the names of the processes that were still running.
 */
export async function labDown(dir: string, options: { graceMs?: number } = {}): Promise<readonly string[]> {
  const state = await loadLabState(dir);
  if (!state) return [];
  const stopped: string[] = [];
  // Clients first (haproxy, apps), then the servers; all in parallel within a tier.
  const order = ['haproxy', 'nginx', 'dc-app', 'sentinel', 'named', 'redis', 'config-centre', 'postgres', 'mariadb', 'etcd'];
  for (const kind of order) {
    await Promise.all(
      state.processes
        .filter((p) => p.kind === kind)
        .map(async (p) => {
          const pid = await livePid(p);
          const pids = pid === p.pid ? [pid] : [pid, p.pid];
          let any = false;
          for (const x of pids) {
            if (isAlive(x)) any = true;
            await stopPid(x, p.stopSignal, options.graceMs ?? 5000);
          }
          if (any) stopped.push(p.name);
        }),
    );
  }
  await removePrivatePgRoot(state.pg.privateRoot);
  await removePrivateRoot(state.mysql?.privateRoot, PRIVATE_MARIADB_PREFIX);
  // netns mode: the namespaces go too (their veths and bridge with them)
  await deleteLabNetns(state.net);
  return stopped;
}
