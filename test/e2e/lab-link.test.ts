import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, drctl, ROOT } from '../helpers/cli.js';
import { netnsUnavailable } from '../helpers/netns-pair.js';
import { HOME, startPrivateLab, type PrivateLab } from '../helpers/private-lab.js';

// Issue 20: the lab city cut made by dropping packets. `drctl lab up --netns` puts hz-a and hz-b in network
// namespaces of their own (each behind a veth to the core namespace's bridge, where sh-a, sh-b, sz-a and
// drctl live); `drctl lab link-runbook` rewrites city-cut.yaml for it (each address → its data center's,
// the fault → fault.link on hz-a's and hz-b's veths, connect/node timeouts 2 s); the rehearsal runs inside
// the core namespace. How long the switch takes is the bench's (bench/lab-link.js), not this test's.

const run = promisify(execFile);
const unavailable = await netnsUnavailable();

type Rec = { type: string; stepId?: string; lost?: string[]; describe?: string; notes?: Record<string, unknown>; state?: unknown };

describe.skipIf(unavailable !== undefined)(
  `the lab city cut by dropping packets (lab up --netns)${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    let lab: PrivateLab;
    let core = '';
    let namespaces: string[] = [];
    beforeAll(async () => {
      lab = await startPrivateLab('drctl-lab-link-', { netns: true });
      const state = JSON.parse(await readFile(path.join(lab.labDir, 'lab.json'), 'utf8')) as {
        net: { core: string; namespaces: Record<string, string> };
      };
      core = state.net.core;
      namespaces = [...new Set([core, ...Object.values(state.net.namespaces)])];
    });
    afterAll(async () => {
      await lab?.down(); // every process by its pid, then the namespaces
      // a lab down that failed half-way must not leave namespaces behind
      for (const ns of namespaces) if (existsSync(`/run/netns/${ns}`)) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    });

    it('each data center on its own address, hz-a and hz-b in namespaces of their own; lab status answers from the root namespace', async () => {
      expect(namespaces).toEqual([`drlab${lab.base}-core`, `drlab${lab.base}-hz-a`, `drlab${lab.base}-hz-b`]);
      const pids = async (ns: string) => (await run('ip', ['netns', 'pids', ns])).stdout.trim().split('\n').map(Number);
      const hzA = await pids(`drlab${lab.base}-hz-a`);
      const status = JSON.parse((await lab.cli(['lab', 'status', '--dir', lab.labDir, '--json'])).stdout).result as {
        processes: { name: string; pid: number; host: string }[];
        redis: { master: string }[];
      };
      const proc = (name: string) => status.processes.find((p) => p.name === name);
      expect(proc('cache-a-hz-a')?.host).toBe('10.251.0.11');
      expect(hzA).toContain(proc('cache-a-hz-a')?.pid);
      expect(hzA).toContain(proc('app-hz-a')?.pid);
      expect(hzA).not.toContain(proc('cache-a-sh-a')?.pid);
      expect(proc('cache-a-sh-a')?.host).toBe('10.251.0.1');
      // Sentinel names the masters by the addresses the runbook uses
      expect(status.redis.map((g) => g.master)).toEqual([`10.251.0.11:${lab.base}`, `10.251.0.12:${lab.base + 3}`]);
      expect(await lab.status()).toEqual(HOME);
    });

    it('a second netns lab on the same base port is refused (exit 4): the running one keeps its namespaces', async () => {
      const other = path.join(lab.dir, 'other-lab');
      const r = await lab.cli(['lab', 'up', '--netns', '--dir', other, '--base-port', String(lab.base)]);
      expect(r.exitCode, r.stderr).toBe(4);
      expect(r.stderr).toContain(`--netns: namespace drlab${lab.base}-core (pid `);
      expect(existsSync(path.join(other, 'lab.json'))).toBe(false);
      for (const ns of namespaces) expect(existsSync(`/run/netns/${ns}`)).toBe(true);
      expect(await lab.status()).toEqual(HOME);
    });

    it('link-runbook refuses an address no lab server has, naming file:line:column (exit 3)', async () => {
      // the committed runbook names the default ports, not this lab's
      const book = path.join(ROOT, 'runbooks', 'lab', 'city-cut.yaml');
      const r = await drctl(['lab', 'link-runbook', book, '--dir', lab.labDir]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/city-cut\.yaml:\d+:\d+: 127\.0\.0\.1:271\d\d is no lab server's port/);
      expect(r.stdout).toBe('');
      // -o into a missing folder: exit 3 naming the flag and the folder, nothing written
      const missing = path.join(lab.dir, 'no-such-folder', 'z.yaml');
      const o = await lab.cli(['lab', 'link-runbook', lab.book('city-cut.yaml'), '--dir', lab.labDir, '-o', missing]);
      expect(o.exitCode, o.stderr).toBe(3);
      expect(o.stderr).toContain(`-o ${missing}: cannot write it: no such directory ${path.dirname(missing)}`);
      expect(o.stderr).not.toContain('ENOENT');
      expect(existsSync(missing)).toBe(false);
    });

    it('the city cut rehearsal with the cut made by dropping packets: SUCCEEDED, the switch did not wait on Hangzhou, fail-back restores it', async () => {
      const book = path.join(lab.dir, 'runbooks', 'city-cut.link.yaml');
      const made = await lab.cli(['lab', 'link-runbook', lab.book('city-cut.yaml'), '--dir', lab.labDir, '--out', book]);
      expect(made.exitCode, made.stderr).toBe(0);
      // the exact command: its addresses are reachable only from inside the core namespace
      expect(made.stderr).toContain(
        `run it inside the lab's core namespace: ip netns exec ${core} drctl rehearse ${book} --yes --set labDir=${lab.labDir}`,
      );
      const text = await readFile(book, 'utf8');
      expect(text).not.toMatch(/127\.0\.0\.1(?!\d)/);
      expect(text).toContain('kind: fault.link');
      const state = path.join(lab.dir, 'state-link');
      const r = await run(
        'ip',
        [
          'netns',
          'exec',
          core,
          process.execPath,
          BIN,
          'rehearse',
          book,
          '--yes',
          '--ignore-schedule',
          '--state',
          state,
          '--set',
          `labDir=${lab.labDir}`,
        ],
        { timeout: 300_000, env: { ...process.env, CI: '1', NO_COLOR: '1' } },
      ).catch((e: { stdout?: string; stderr?: string; code?: number }) => e);
      const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      expect('code' in r ? r.code : 0, out).toBe(0);
      expect(out).toContain('rehearsal SUCCEEDED');
      const runId = /\(run ([^)]+)\)/.exec(String(r.stdout))?.[1] ?? '';
      const journal = (await readFile(path.join(state, 'runs', runId, 'journal.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Rec);
      const injected = journal.find((e) => e.type === 'fault.injected');
      expect(injected?.lost).toEqual(['hz-a', 'hz-b']);
      expect(injected?.describe).toContain(`cut links drlab${lab.base}-hz-a:drlink0, drlab${lab.base}-hz-b:drlink0`);
      // the switch's steps: the Hangzhou members were not waited for (ctx.lost), and said so
      const db = journal.find((e) => e.type === 'step.applied' && e.stepId === 'db-election');
      expect(db?.notes?.['membersNotWaitedFor']).toEqual(['pg-hz-a']);
      for (const [step, node] of [
        ['cache-a', `10.251.0.11:${lab.base}`],
        ['cache-b', `10.251.0.12:${lab.base + 3}`],
      ] as const) {
        const e = journal.find((x) => (x.type === 'step.applied' || x.type === 'step.skipped') && x.stepId === step);
        const nodes = (e?.state as { nodes?: { addr: string; detail?: string }[] } | undefined)?.nodes ?? [];
        expect(nodes.find((n) => n.addr === node)?.detail, `${step}: ${JSON.stringify(e)}`).toMatch(/not waited for/);
      }
      // restored and failed back: Hangzhou is as it was
      expect(await lab.status()).toEqual(HOME);
      const links = await run('ip', ['-n', `drlab${lab.base}-hz-a`, '-o', 'link', 'show', 'drlink0']);
      expect(links.stdout).toMatch(/[<,]UP[,>]/);
    });
  },
);

describe.skipIf(process.getuid?.() !== 0)('lab up --netns without root', () => {
  it('exits 3 with one line naming --netns, and makes nothing', async () => {
    const dir = `/tmp/drctl-lab-link-nobody-${process.pid}`;
    const r = await run('runuser', ['-u', 'nobody', '--', process.execPath, BIN, 'lab', 'up', '--netns', '--dir', dir]).catch(
      (e: { stdout?: string; stderr?: string; code?: number }) => e,
    );
    expect('code' in r ? r.code : 0).toBe(3);
    expect(String(r.stderr).trim()).toBe(
      'error: --netns needs root (it makes network namespaces); without --netns the lab runs on loopback',
    );
    expect(existsSync(dir)).toBe(false);
  });
});
