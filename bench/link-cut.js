// 8. A cut that drops packets (issue 20): `drctl rehearse` with fault.link — the lost data center's end of
// a veth set down, so every connection to it hangs for its whole timeout — and production-like node
// timeouts (2 s). Two network namespaces: A holds drctl and the surviving Redis replica (sh-a), B the
// master (hz-a). The same rehearsal twice, interleaved: the fault's `dcs` known to the switch (ctx.lost:
// the switch does not wait on the cut master), and not known (it waits each node timeout out). Needs root.
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DRCTL, fmtMs, fmtRatio, fmtStats, ratio, stats, tempDir, which } from './measure.js';

export const id = 'link';
export const title = '8. A cut that drops packets (fault.link, 2 s node timeouts): the switch with and without ctx.lost';

const exec = promisify(execFile);
const ip = (...args) => exec('ip', args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Namespaces A (client) and B (hz-a), a veth between them, a master in B and its replica in A. */
async function startEstate(dir) {
  const tag = `drctl-b-${process.pid}`;
  const [a, b, devA, devB] = [`${tag}-a`, `${tag}-b`, `db${process.pid % 1e7}a`, `db${process.pid % 1e7}b`];
  const [addrA, addrB] = ['10.214.0.1', '10.214.0.2'];
  const pids = [];
  const stop = async () => {
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const ns of [a, b]) await ip('netns', 'del', ns).catch(() => {});
  };
  for (const ns of [a, b]) await ip('netns', 'del', ns).catch(() => {});
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
  ])
    await ip('-n', ns, 'link', 'set', 'dev', dev, 'up');
  const redis = (ns, bind, extra) => {
    const c = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'redis-server',
        '--port',
        '16379',
        '--bind',
        bind,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        '--repl-diskless-sync-delay',
        '0',
        '--dir',
        dir,
        ...extra,
      ],
      { detached: true, stdio: 'ignore' },
    );
    c.unref();
    pids.push(c.pid);
  };
  redis(b, addrB, []);
  redis(a, addrA, ['--replicaof', addrB, '16379']);
  const role = async (host) =>
    (await exec('ip', ['netns', 'exec', a, 'timeout', '5', 'redis-cli', '-h', host, '-p', '16379', 'ROLE'])).stdout.trim().split('\n');
  await until('the replica in A linked to the master in B', async () => (await role(addrA))[3] === 'connected').catch(async (e) => {
    await stop();
    throw e;
  });
  return { a, b, devB, addrA, addrB, role, stop };
}

function writeRunbook(dir, e, knowsLost) {
  const file = path.join(dir, `link-cut-${knowsLost ? 'lost' : 'unknown'}.yaml`);
  writeFileSync(
    file,
    `apiVersion: drctl/v1
kind: Runbook
metadata: { name: link-cut-${knowsLost ? 'lost' : 'unknown'} }
spec:
  fault:
    description: cut hz-a (its link down, packets dropped)
    kind: fault.link
    with: { links: [{ netns: ${e.b}, dev: ${e.devB} }]${knowsLost ? ', dcs: [hz-a]' : ''} }
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
          - { addr: "${e.addrB}:16379", dc: hz-a }
          - { addr: "${e.addrA}:16379", dc: sh-a }
`,
  );
  return file;
}

export async function run({ quick, log }) {
  const dir = tempDir('drctl-bench-link-');
  const skip = (why) => ({
    title,
    tables: [],
    goals: [{ goal: 'switch under 1 s with a packet-dropping cut and 2 s timeouts', figure: 'not measured', met: null }],
    notes: [`SKIPPED: ${why}`],
  });
  if (process.getuid?.() !== 0) return skip('network namespaces need root.');
  if (!which('redis-server') || !which('ip')) return skip('redis-server or iproute2 missing.');
  const e = await startEstate(dir);
  const reps = quick ? 1 : 3;
  const switchMs = { lost: [], unknown: [] };
  const rto = { lost: [], unknown: [] };
  try {
    const files = { lost: writeRunbook(dir, e, true), unknown: writeRunbook(dir, e, false) };
    for (let i = 0; i < reps; i++) {
      for (const which of ['lost', 'unknown']) {
        const state = path.join(dir, `state-${which}`);
        const r = await exec(
          'ip',
          ['netns', 'exec', e.a, ...DRCTL, 'rehearse', files[which], '--yes', '--ignore-schedule', '--state', state],
          { timeout: 240_000 },
        ).catch((x) => x);
        const runId = /\(run ([^)]+)\)/.exec(String(r.stdout))?.[1];
        if (!runId || r.code) throw new Error(`rehearse (${which}) failed: ${String(r.stdout).split('\n').slice(-4).join(' ')}`);
        const rep = JSON.parse(
          (await exec('ip', ['netns', 'exec', e.a, ...DRCTL, 'report', runId, '--format', 'json', '--state', state])).stdout,
        );
        const rto1 = (rep.result ?? rep).rehearsal.rto;
        switchMs[which].push(rto1.switchMs);
        rto[which].push(rto1.totalMs);
        log(
          `  rehearse #${i + 1} (${which === 'lost' ? 'dcs known: ctx.lost' : 'dcs not given'}): RTO ${fmtMs(rto1.totalMs)}, switch ${fmtMs(rto1.switchMs)}`,
        );
        // the fail-back re-linked the replica: wait until it follows the master again before the next cut
        await until('the replica linked again', async () => (await e.role(e.addrA))[3] === 'connected');
      }
    }
  } finally {
    await e.stop();
  }
  const lost = stats(switchMs.lost);
  const unknown = stats(switchMs.unknown);
  return {
    title,
    intro: `\`ip netns exec A drctl rehearse link-cut.yaml --yes\`, ${reps} repetition(s) of each, interleaved; figures from \`drctl report RUN_ID --format json\`. Node timeout 2 s.`,
    tables: [
      {
        caption: 'Switch (detected → last step) and RTO, medians:',
        columns: ['rehearsal', 'switch', 'RTO'],
        rows: [
          ['fault.link with dcs: [hz-a] (the switch knows the lost side: ctx.lost)', fmtStats(lost), fmtStats(stats(rto.lost))],
          ['fault.link without dcs (the switch asks the cut master, waits its timeout)', fmtStats(unknown), fmtStats(stats(rto.unknown))],
        ],
      },
    ],
    goals: [
      {
        goal: 'switch under 1 s with a packet-dropping cut and 2 s timeouts (ctx.lost known)',
        figure: `median ${fmtMs(lost.median)}`,
        met: lost.median < 1000,
      },
      {
        goal: 'not waiting on the dead: switch without ctx.lost ÷ with it',
        figure: fmtRatio(ratio(unknown.median, lost.median)),
        met: null,
      },
    ],
    notes: [
      'one redis.failover step in direct mode: the master in namespace B (hz-a, cut), its replica in A promoted; the fail-back after the link is restored makes B master again (writes made during the switch kept).',
      "the two runbooks differ only in the fault's `dcs`; no timeout differs.",
    ],
  };
}
