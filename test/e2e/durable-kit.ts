import type { ResultPromise } from 'execa';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openStateStore } from '../../src/state/open-store.js';
import type { StateStore } from '../../src/state/store.js';
import { exampleWorkspace, ROOT, spawnDrctl } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';

/** The example workspace plus test/fixtures/durable (chain.yaml, point.sh) and helpers to stop steps at points. */
export async function durableWorkspace(stateArg?: string) {
  const ws = await exampleWorkspace();
  await cp(path.join(ROOT, 'test/fixtures/durable'), ws.dir, { recursive: true });
  const state = stateArg ?? ws.state;
  const file = (name: string): string => path.join(ws.dir, name);
  // crash points inside drctl itself (src/cli/failpoints.ts) use the same at.NAME / hold.NAME files
  const env = { ...ws.env, DRCTL_FAILPOINTS: ws.dir };
  const started: ResultPromise<{ reject: false }>[] = [];
  const kit = {
    ...ws,
    state,
    env,
    run: (args: readonly string[], extraEnv: Record<string, string> = {}, cwd = ws.dir) =>
      import('../helpers/cli.js').then(({ drctl }) => drctl([...args, '--state', state], { cwd, env: { ...env, ...extraEnv } })),
    /** Start the CLI in the background (every one is killed by pid at cleanup if still running). */
    start: (args: readonly string[], extraEnv: Record<string, string> = {}) => {
      const child = spawnDrctl([...args, '--state', state], { cwd: ws.dir, env: { ...env, ...extraEnv } });
      started.push(child);
      return child;
    },
    hold: (point: string) => writeFile(file(`hold.${point}`), ''),
    release: (point: string) => rm(file(`hold.${point}`), { force: true }),
    clearMarkers: async () => {
      for (const f of await readdir(ws.dir)) if (f.startsWith('at.')) await rm(file(f), { force: true });
    },
    /** Wait until a step is at `point`; returns the step's process group id. */
    reached: async (point: string, timeoutMs = 30_000): Promise<number> =>
      Number(
        await waitFor(
          () =>
            readFile(file(`at.${point}`), 'utf8').then(
              (t) => t.trim(),
              () => '',
            ),
          `a step to reach ${point}`,
          timeoutMs,
        ),
      ),
    /** SIGKILL the CLI and the step's process group at `point` (the controller's host died there). */
    killAt: async (child: ResultPromise<{ reject: false }>, point: string): Promise<void> => {
      const pgid = await kit.reached(point);
      child.kill('SIGKILL');
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
      await child;
    },
    /** SIGKILL the CLI and the process groups of the steps held at every one of `points` (reached together). */
    killAtAll: async (child: ResultPromise<{ reject: false }>, points: readonly string[]): Promise<void> => {
      const pgids: number[] = [];
      for (const p of points) pgids.push(await kit.reached(p));
      child.kill('SIGKILL');
      for (const pgid of pgids) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await child;
    },
    /** SIGKILL the CLI held at one of its own crash points (failpoints.ts), e.g. 'run.before-finish'. */
    killAtFailpoint: async (child: ResultPromise<{ reject: false }>, name: string): Promise<void> => {
      const pid = Number(
        await waitFor(
          () =>
            readFile(file(`at.${name}`), 'utf8').then(
              (t) => t.trim(),
              () => '',
            ),
          `drctl to reach ${name}`,
          30_000,
        ),
      );
      if (pid !== child.pid) throw new Error(`at.${name} names pid ${pid}, not the CLI's ${String(child.pid)}`);
      child.kill('SIGKILL');
      await child;
    },
    /**
     * SIGSTOP a controller (its host freezes) at a moment it is not inside the folder store's mutex (a
     * few ms per journal write or lease renewal): frozen inside, it would hold every other process off
     * for the mutex's 30 s stale age. Retries until the mutex is not its own.
     */
    freezeOutsideMutex: async (pid: number): Promise<void> => {
      const mutex = path.join(state, 'locks', 'durable-chain.lock.mutex');
      for (;;) {
        process.kill(pid, 'SIGSTOP');
        const owner = await readFile(mutex, 'utf8').then(
          (t) => (JSON.parse(t) as { pid: number }).pid,
          () => undefined,
        );
        if (owner !== pid) return;
        process.kill(pid, 'SIGCONT');
        await new Promise((r) => setTimeout(r, 7));
      }
    },
    runIds: async (): Promise<string[]> => (await withStore(state, (s) => s.listRuns())).map((r) => r.runId),
    onlyRunId: async (): Promise<string> => {
      const ids = (await withStore(state, (s) => s.listRuns())).map((r) => r.runId);
      if (ids.length !== 1 || !ids[0]) throw new Error(`expected one run, found ${ids.join(', ')}`);
      return ids[0];
    },
    journal: async (runId: string): Promise<Record<string, unknown>[]> =>
      (await withStore(state, (s) => s.readJournal(runId))).records as unknown as Record<string, unknown>[],
    journalFile: (runId: string): string => path.join(ws.state, 'runs', runId, 'journal.ndjson'),
    cleanup: async () => {
      // a child still running has exitCode null: kill it by pid (a test that failed midway leaves some held at a point)
      for (const c of started) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
      await Promise.allSettled(started);
      await ws.cleanup();
    },
  };
  return kit;
}

/** Read the store the way the CLI does (file or Redis). */
export async function withStore<T>(state: string, fn: (s: StateStore) => Promise<T>): Promise<T> {
  const store = await openStateStore(state);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export type DurableWorkspace = Awaited<ReturnType<typeof durableWorkspace>>;

export const CHAIN_SWITCHED = { 'db.primary': 'sh-a', 'cache.master': 'sh-a', 'lb.active': 'sh-a' };
export const CHAIN_CHANGES = ['db.primary=sh-a', 'cache.master=sh-a', 'lb.active=sh-a'];
