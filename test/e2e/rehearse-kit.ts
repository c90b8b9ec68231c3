import type { ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { drctl, spawnDrctl } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

// drctl rehearse through the CLI, as cron runs it (no terminal, CI=true), on an estate of local files
// driven by real commands: the fault is a file that makes the "hz" side unavailable, the switch moves
// the active side to "sh", every apply and rollback appends to a log (real side effects, counted).

export interface Shape {
  readonly schedule?: string;
  readonly budget?: string;
  /** Seconds the drain step sleeps (a long switch, to interrupt or breach during it). */
  readonly drainSeconds?: number;
  /** The fault's apply, a shell script (default: create the fault file, log "inject"). */
  readonly inject?: string;
  /** false: the exec fault has no observe command (it cannot tell whether it is in place). */
  readonly faultObserve?: boolean;
  /** false: the exec fault has no rollback command. */
  readonly faultRollback?: boolean;
  readonly faultTimeout?: string;
  /** The detection probe, a shell script (default: the fault file exists). */
  readonly detect?: string;
  /** The steady-state probe, a shell script (default: served unless cut and not yet switched). */
  readonly steady?: string;
  /** Seconds a second steady-state probe sleeps while there is no fault (an interrupt before t0). */
  readonly slowSteadySeconds?: number;
  readonly recoverTimeout?: string;
}

export type Child = ResultPromise<{ reject: false }>;

const sh = (script: string): string => JSON.stringify(['sh', '-c', script]);

/** A temp estate (active side "hz"), its runbook writer, and readers of what the commands did. */
export async function rehearsalEstate() {
  const { dir, cleanup } = await makeTmpDir('drctl-rehearse-');
  await writeFile(path.join(dir, 'active'), 'hz\n');
  const f = (name: string): string => path.join(dir, name);
  const state = f('state');
  const started: Child[] = [];
  const kit = {
    dir,
    f,
    state,
    /** The runbook: fault file → detected → switch (drain, flip) → steady state → restore → fail back. */
    async writeRunbook(shape: Shape = {}, name = 'rehearse.yaml'): Promise<string> {
      const observe = shape.faultObserve === false ? '' : `\n      observe: { cmd: [test, -e, ${dir}/fault], doneWhen: { exitCode: [0] } }`;
      const rollback = shape.faultRollback === false ? '' : `\n      rollback: ${sh(`rm -f ${dir}/fault; echo restore >> ${dir}/log`)}`;
      const slow =
        shape.slowSteadySeconds === undefined
          ? ''
          : `\n    - { name: slow, exec: ${sh(`[ -e ${dir}/fault ] || [ -e ${dir}/drained ] || { echo steady >> ${dir}/log; sleep ${shape.slowSteadySeconds}; }`)}, timeout: 1m }`;
      const text = `apiVersion: drctl/v1
kind: Runbook
metadata: { name: files-cut }
spec:
  ${shape.budget ? `budget: ${shape.budget}` : ''}
  fault:
    description: cut hz
    kind: exec
    ${shape.faultTimeout ? `timeout: ${shape.faultTimeout}` : ''}
    with:${observe}
      apply: ${sh(shape.inject ?? `touch ${dir}/fault; echo inject >> ${dir}/log`)}${rollback}
    detect:
      - { name: fault-seen, exec: ${sh(shape.detect ?? `test -e ${dir}/fault`)}, interval: 50ms }
    detectTimeout: 20s
    recoverTimeout: ${shape.recoverTimeout ?? '5s'}
  steadyState:
    - name: served
      exec: ${sh(shape.steady ?? `! [ -e ${dir}/fault ] || grep -qx sh ${dir}/active`)}
      interval: 50ms
      successThreshold: 2${slow}
  stopConditions:
    - { name: no-breach, exec: ${sh(`! [ -e ${dir}/breach ]`)}, interval: 50ms }
  ${shape.schedule ?? ''}
  steps:
    - id: drain
      kind: exec
      with:
        observe: { cmd: [test, -e, ${dir}/drained] }
        apply: ${sh(`echo drain >> ${dir}/log; sleep ${shape.drainSeconds ?? 0}; touch ${dir}/drained`)}
        rollback: ${sh(`rm -f ${dir}/drained; echo undrain >> ${dir}/log`)}
    - id: flip
      kind: exec
      needs: [drain]
      with:
        observe: { cmd: ${sh(`grep -qx sh ${dir}/active`)} }
        apply: ${sh(`echo sh > ${dir}/active; echo flip >> ${dir}/log`)}
        rollback: ${sh(`echo hz > ${dir}/active; echo unflip >> ${dir}/log`)}
`;
      const file = f(name);
      await writeFile(file, text);
      return file;
    },
    rehearse: (file: string, ...args: string[]) => drctl(['rehearse', file, '--state', state, ...args]),
    /** Start a rehearsal in the background (killed by pid at cleanup if still running). */
    start(file: string, ...args: string[]): Child {
      const child = spawnDrctl(['rehearse', file, '--yes', '--state', state, ...args]);
      started.push(child);
      return child;
    },
    /** The changes the commands made, in order. */
    log: async (): Promise<string[]> => (existsSync(f('log')) ? (await readFile(f('log'), 'utf8')).trim().split('\n') : []),
    waitLog: (entry: string) => waitFor(async () => (await kit.log()).includes(entry), `"${entry}" in the log`, 30_000),
    active: async (): Promise<string> => (await readFile(f('active'), 'utf8')).trim(),
    faultInPlace: (): boolean => existsSync(f('fault')),
    report: async (runId: string, format = 'json') => {
      const r = await drctl(['report', runId, '--format', format, '--state', state]);
      // --format json is the enveloped document ({schemaVersion, command, ok, result, ...}): the report is its result
      return format === 'json' ? JSON.parse(r.stdout).result : r.stdout;
    },
    /** The run's journal records, as written. */
    journal: async (runId: string): Promise<{ type: string; at: string; [k: string]: unknown }[]> =>
      (await readFile(path.join(state, 'runs', runId, 'journal.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    /** The newest run's id (for a run whose stdout was cut short). */
    latestRunId: async (): Promise<string> => {
      const { runs } = JSON.parse((await drctl(['history', '--json', '--state', state])).stdout).result;
      return runs[0].runId as string;
    },
    runIds: async (): Promise<string[]> => (existsSync(path.join(state, 'runs')) ? readdir(path.join(state, 'runs')) : []),
    async cleanup(): Promise<void> {
      for (const c of started) if (c.exitCode === undefined && c.pid !== undefined) c.kill('SIGKILL');
      await Promise.all(started.map((c) => c.catch(() => undefined)));
      await cleanup();
    },
  };
  return kit;
}

export type Estate = Awaited<ReturnType<typeof rehearsalEstate>>;

export const runIdOf = (stdout: unknown): string => /\(run ([^)]+)\)/.exec(String(stdout))?.[1] ?? '';

/** Everything a child wrote to stderr so far (to wait for its reaction to a signal). */
export function stderrOf(child: Child): () => string {
  let text = '';
  child.stderr?.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return () => text;
}
