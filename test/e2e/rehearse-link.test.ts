import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { netnsUnavailable, startNetnsPair, type NetnsPair } from '../helpers/netns-pair.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

// A rehearsal whose cut drops packets (fault.link sets the lost data center's end of a veth down): drctl
// runs in namespace A beside a Redis replica (sh-a); the master (hz-a) is in namespace B. With production
// timeouts (2 s per node), the switch does not wait on the cut master: ctx.lost comes from the fault's dcs.
// How long it takes is the bench's (bench/lab-rto.js), not this test's.

const run = promisify(execFile);
const unavailable = await netnsUnavailable();
const REPLICA_PORT = 16380;

describe.skipIf(unavailable !== undefined)(
  `rehearse with fault.link (packets dropped)${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    let pair: NetnsPair;
    let replicaPid: number | undefined;
    let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
    const inA = (argv: readonly string[]) => run('ip', ['netns', 'exec', pair.a, ...argv], { timeout: 240_000 });
    const role = async (host: string, port: number): Promise<string[]> =>
      (await inA(['timeout', '5', 'redis-cli', '-h', host, '-p', String(port), 'ROLE']).catch(() => ({ stdout: '' }))).stdout
        .trim()
        .split('\n');

    let addrA = '';
    beforeAll(async () => {
      tmp = await makeTmpDir('drctl-rehearse-link-');
      pair = await startNetnsPair();
      // the replica listens on A's end of the veth: the old master in B must reach it to fail back
      addrA = /inet (\S+)\//.exec((await run('ip', ['-n', pair.a, '-4', 'addr', 'show', 'dev', pair.devA])).stdout)?.[1] ?? '';
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          pair.a,
          'redis-server',
          '--port',
          String(REPLICA_PORT),
          '--bind',
          addrA,
          '--save',
          '',
          '--appendonly',
          'no',
          '--replicaof',
          pair.addrB,
          String(pair.port),
          '--repl-diskless-sync-delay',
          '0',
          '--protected-mode',
          'no',
          '--dir',
          tmp.dir,
        ],
        { detached: true, stdio: 'ignore' },
      );
      child.unref();
      replicaPid = child.pid;
      await waitFor(
        async () => (await role(addrA, REPLICA_PORT)).at(3) === 'connected',
        'the replica in A linked to the master in B',
        30_000,
      );
    }, 60_000);

    afterAll(async () => {
      if (replicaPid !== undefined) {
        try {
          process.kill(-replicaPid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await pair?.stop();
      await tmp?.cleanup();
    });

    it('the switch promotes the survivor without waiting on the cut master, records its silence, and fails back after the link is restored', async () => {
      const master = `${pair.addrB}:${pair.port}`;
      const file = path.join(tmp.dir, 'link-cut.yaml');
      await writeFile(
        file,
        `apiVersion: drctl/v1
kind: Runbook
metadata: { name: link-cut }
spec:
  fault:
    description: cut hz-a (its link down, packets dropped)
    kind: fault.link
    with: { links: [{ netns: ${pair.b}, dev: ${pair.devB} }], dcs: [hz-a] }
    recoverTimeout: 30s
  steps:
    - id: cache
      kind: redis.failover
      timeout: 60s
      with:
        master: direct
        to: sh-a
        nodeTimeout: 2s
        nodes:
          - { addr: "${master}", dc: hz-a }
          - { addr: "${addrA}:${REPLICA_PORT}", dc: sh-a }
`,
      );
      const state = path.join(tmp.dir, 'state');
      const r = await inA(['node', BIN, 'rehearse', file, '--yes', '--ignore-schedule', '--state', state]).catch(
        (e: { stdout?: string; stderr?: string; code?: number }) => e,
      );
      const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      expect('code' in r ? r.code : 0, out).toBe(0);
      const runId = /\(run ([^)]+)\)/.exec(String(r.stdout))?.[1] ?? '';
      const journal = (await readFile(path.join(state, 'runs', runId, 'journal.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(journal.find((e) => e['type'] === 'fault.injected')?.['lost']).toEqual(['hz-a']);
      const applied = journal.find((e) => e['type'] === 'step.applied' && e['stepId'] === 'cache');
      expect((applied?.['notes'] as Record<string, unknown>)?.['nodesNotWaitedFor']).toEqual([master]);
      // failed back once the link was up again: the master in B is master, the replica in A follows it
      expect((await role(pair.addrB, pair.port))[0]).toBe('master');
      expect((await role(addrA, REPLICA_PORT)).slice(0, 3)).toEqual(['slave', pair.addrB, String(pair.port)]);
    });
  },
);
