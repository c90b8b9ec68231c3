// 9. The lab city cut made by dropping packets (issue 20): a private `drctl lab up --netns` (hz-a and hz-b
// each in a network namespace of its own behind a veth; sh-a, sh-b, sz-a and drctl in the core one), the
// lab's city-cut.yaml rewritten by `drctl lab link-runbook` (each address → its data center's, the fault
// → fault.link: hz-a's and hz-b's veths set down, so every connection to them hangs for its whole timeout;
// connect/node timeouts 2 s, production-like). `ip netns exec CORE drctl rehearse …` N times; switch and
// RTO from `drctl report RUN_ID --format json`. For contrast, interleaved, the same runbook without the
// fault's dcs (--no-lost): the switch then waits on the cut side. Needs root.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { breakdown } from './lab-rto.js';
import { DRCTL, ROOT, childEnv, fmtMs, fmtRatio, fmtStats, mustSucceed, ratio, stats, tempDir, timeSpawn, which } from './measure.js';

export const id = 'lab-link';
export const title = '9. Lab city cut by dropping packets (lab up --netns, fault.link, 2 s timeouts): the switch with and without ctx.lost';

const exec = promisify(execFile);
const BOOKS = path.join(ROOT, 'runbooks', 'lab');
const NEEDED = ['ip', 'redis-server', 'redis-sentinel', 'redis-cli', 'haproxy', 'named', 'nsupdate', 'psql', 'nginx', 'etcd'];
const GOAL = 'switch under 1 s with a packet-dropping cut and 2 s timeouts (the lab city cut)';

export async function run({ quick, log }) {
  const skip = (why) => ({ title, tables: [], goals: [{ goal: GOAL, figure: 'not measured', met: null }], notes: [`SKIPPED: ${why}`] });
  if (process.getuid?.() !== 0) return skip('needs root (network namespaces; PostgreSQL runs as the postgres user).');
  const missing = NEEDED.filter((b) => !which(b));
  if (missing.length) return skip(`missing ${missing.join(', ')} (bin/install-lab-deps.sh installs the lab packages; ip is iproute2).`);
  try {
    await exec('ip', ['netns', 'list']);
  } catch (e) {
    return skip(`network namespaces unavailable here: ${String(e?.message ?? e).split('\n')[0]}`);
  }

  const dir = tempDir('drctl-bench-lab-link-');
  chmodSync(dir, 0o755); // the postgres user reaches the lab folder
  const { pickFreeBasePort } = await import(pathToFileURL(path.join(ROOT, 'dist', 'lab', 'ports.js')).href);
  const base = await pickFreeBasePort();
  const labDir = path.join(dir, 'lab');
  const books = path.join(dir, 'runbooks');
  cpSync(BOOKS, books, { recursive: true });
  for (const f of readdirSync(books).filter((x) => x.endsWith('.yaml'))) {
    const p = path.join(books, f);
    // rebase every lab port; the year-end blackout must not make the benchmark depend on its date
    writeFileSync(
      p,
      readFileSync(p, 'utf8')
        .replace(/\b271(\d\d)\b/g, (_, off) => String(base + Number(off)))
        .replace('date: "2026-12-31"', 'date: "2000-01-01"'),
    );
  }
  const env = childEnv({ CI: '1', NO_COLOR: '1', DRCTL_STATE: path.join(dir, 'state') });
  const drctl = (args, logName, timeoutMs = 240_000) => timeSpawn([...DRCTL, ...args], { env, logDir: dir, logName, timeoutMs });
  log(`drctl lab up --netns --dir ${labDir} --base-port ${base}`);
  const up = await drctl(['lab', 'up', '--netns', '--dir', labDir, '--base-port', String(base)], 'lab-up');
  if (up.code !== 0) {
    await drctl(['lab', 'down', '--dir', labDir], 'lab-down');
    return skip(`drctl lab up --netns failed (exit ${up.code}): ${readFileSync(up.stderr, 'utf8').trim().split('\n').at(-1) ?? ''}`);
  }
  const core = JSON.parse(readFileSync(path.join(labDir, 'lab.json'), 'utf8')).net.core;
  const src = path.join(books, 'city-cut.yaml');
  const files = { lost: path.join(books, 'city-cut.link.yaml'), waits: path.join(books, 'city-cut.link-nolost.yaml') };
  mustSucceed('link-runbook', await drctl(['lab', 'link-runbook', src, '--dir', labDir, '--out', files.lost], 'link-runbook'));
  mustSucceed(
    'link-runbook',
    await drctl(['lab', 'link-runbook', src, '--dir', labDir, '--no-lost', '--out', files.waits], 'link-runbook-nolost'),
  );

  const reps = quick ? 1 : 3;
  const samples = { lost: [], waits: [] };
  const failed = [];
  try {
    for (let i = 0; i < reps; i++) {
      for (const which of quick ? ['lost'] : ['lost', 'waits']) {
        const r = await timeSpawn(
          ['ip', 'netns', 'exec', core, ...DRCTL, 'rehearse', files[which], '--yes', '--ignore-schedule', '--set', `labDir=${labDir}`],
          { env, logDir: dir, logName: `rehearse-${which}-${i}`, timeoutMs: 240_000 },
        );
        const out = readFileSync(r.stdout, 'utf8');
        if (r.code !== 0) {
          const why = /reason: (.*)/.exec(out)?.[1] ?? `exit ${r.code ?? r.signal}`;
          failed.push(`${which}: ${why}`);
          log(`  rehearse ${which} #${i + 1} FAILED: ${why}`);
          if (r.timedOut) throw new Error(`drctl rehearse timed out and may not have restored the lab: ${why}`);
          continue;
        }
        const runId = /\(run ([^)]+)\)/.exec(out)?.[1];
        const rep = mustSucceed('drctl report', await drctl(['report', runId, '--format', 'json'], `report-${which}-${i}`));
        const doc = JSON.parse(readFileSync(rep.stdout, 'utf8'));
        const b = breakdown(doc.result ?? doc);
        samples[which].push(b);
        log(`  rehearse ${which} #${i + 1}: RTO ${fmtMs(b.rto)} (detection ${fmtMs(b.detection)}, switch ${fmtMs(b.switch)})`);
      }
    }
  } finally {
    await drctl(['lab', 'down', '--dir', labDir], 'lab-down', 120_000);
  }

  const notes = [
    `every server of a data center binds its address (hz-a 10.251.0.11, hz-b 10.251.0.12, the rest 10.251.0.1 on the core namespace's bridge); drctl runs in the core namespace; the cut sets hz-a's and hz-b's veth down (packets dropped: a connection hangs for its timeout, as a real cut).`,
    'MariaDB and etcd stay on the core namespace loopback (the city cut runbook does not use them).',
  ];
  if (failed.length) notes.push(`${failed.length} rehearsal(s) FAILED and were not measured: ${failed.join('; ')}.`);
  if (samples.lost.length === 0) return { title, tables: [], goals: [{ goal: GOAL, figure: 'no rehearsal succeeded', met: null }], notes };
  const st = (xs, f) => (xs.length ? stats(xs.map(f)) : undefined);
  const row = (label, f) => [label, ...['lost', 'waits'].map((w) => (st(samples[w], f) ? fmtStats(st(samples[w], f)) : 'not run'))];
  const stepIds = Object.keys(samples.lost[0].steps);
  const switchLost = st(samples.lost, (s) => s.switch).median;
  const switchWaits = st(samples.waits, (s) => s.switch)?.median;
  return {
    title,
    intro: `\`ip netns exec ${core} drctl rehearse city-cut.link.yaml --yes --ignore-schedule\` on a private \`drctl lab up --netns\` (base port ${base}; the runbook from \`drctl lab link-runbook\`), ${reps} repetition(s) each, interleaved; figures from \`drctl report RUN_ID --format json\`.`,
    tables: [
      {
        caption: "Medians: the fault's dcs known to the switch (ctx.lost) vs not (--no-lost):",
        columns: ['part', 'fault.link with dcs [hz-a, hz-b]', 'fault.link without dcs'],
        rows: [
          row('RTO: cut → steady state holds again', (s) => s.rto),
          row('  detection (Sentinel elected both cache groups)', (s) => s.detection),
          row('  switch (detected → last step done)', (s) => s.switch),
          ...stepIds.map((sid) => row(`    stage ${sid}`, (s) => s.steps[sid] ?? NaN)),
          row('  convergence', (s) => s.convergence),
        ],
      },
    ],
    goals: [
      { goal: GOAL, figure: `median switch ${fmtMs(switchLost)}`, met: switchLost < 1000 },
      ...(switchWaits === undefined
        ? []
        : [
            {
              goal: "contrast: without the fault's dcs the switch waits on the cut side (slower)",
              figure: `${fmtMs(switchWaits)} vs ${fmtMs(switchLost)} = ${fmtRatio(ratio(switchWaits, switchLost))}`,
              met: switchWaits > switchLost,
            },
          ]),
    ],
    notes,
  };
}
