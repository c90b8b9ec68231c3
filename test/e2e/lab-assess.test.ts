import { execFileSync } from 'node:child_process';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '../../src/lab/types.js';
import { asUser, pgBinDir } from '../../src/lab/run.js';
import { expectMatchesSchema } from '../helpers/document-schema.js';
import { startPrivateLab, type PrivateLab } from '../helpers/private-lab.js';
import { waitFor } from '../helpers/wait-for.js';

// drctl assess and inspect on a private lab of real servers, broken on purpose: each fault must be
// named by the findings of exactly the scopes it hurts. The restorable faults come first; the stopped
// Redis replica and Sentinels (not restarted: lab down stops what is left) come last.
let lab: PrivateLab;
let books = '';
let state: LabState;
const HANGZHOU = ['hz-a', 'hz-b', 'hz'];

beforeAll(async () => {
  lab = await startPrivateLab('drctl-lab-assess-');
  books = path.dirname(lab.book('city-cut.yaml'));
  // a loaded machine answers a loopback connect in ~100 ms: sub-second client timeouts would read live members as cut
  for (const f of ['city-cut.yaml', 'city-cut-mysql.yaml']) {
    const file = lab.book(f);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/(connect|node)Timeout: 300ms/g, '$1Timeout: 1s'));
  }
  state = JSON.parse(await readFile(path.join(lab.labDir, 'lab.json'), 'utf8')) as LabState;
});
afterAll(async () => lab?.down());

const set = () => ['--set', `labDir=${lab.labDir}`];
async function assess(extra: string[] = []) {
  const r = await lab.cli(['--json', 'assess', books, ...set(), ...extra]);
  const doc = JSON.parse(r.stdout).result;
  expectMatchesSchema('assessment', doc);
  return { code: r.exitCode, doc, scope: (id: string) => doc.scopes.find((s: { id: string }) => s.id === id) };
}
/** The scopes that have a finding whose message contains `text`. */
const scopesNaming = (doc: { findings: { scope: string; message: string }[] }, text: string): string[] => [
  ...new Set(doc.findings.filter((f) => f.message.includes(text)).map((f) => f.scope)),
];
const pid = (name: string): number => state.processes.find((p) => p.name === name)?.pid ?? 0;
const port = (name: string): number => state.processes.find((p) => p.name === name)?.port ?? 0;

describe('assess on the healthy lab', () => {
  it('every DC, city and cross-city pair: Hangzhou and Shanghai survivable with RPO 0, Shenzhen and the pairs without a plan: L0', async () => {
    const { code, doc, scope } = await assess();
    expect(code).toBe(1); // the scopes without a plan are findings
    expect(
      doc.scopes.map(
        (s: { id: string; verdict: string; plan: { status: string } }) => `${s.id}:${s.plan.status === 'none' ? 'NO PLAN' : s.verdict}`,
      ),
    ).toEqual([
      'hz-a:survivable',
      'hz-b:survivable',
      'sh-a:survivable',
      'sh-b:survivable',
      'sz-a:NO PLAN',
      'hz:survivable',
      'sh:survivable',
      'hz-a+sh-a:NO PLAN',
      'hz-a+sh-b:NO PLAN',
      'hz-a+sz-a:NO PLAN',
      'hz-b+sh-a:NO PLAN',
      'hz-b+sh-b:NO PLAN',
      'hz-b+sz-a:NO PLAN',
      'sh-a+sz-a:NO PLAN',
      'sh-b+sz-a:NO PLAN',
    ]);
    expect(doc.level).toMatchObject({ level: 'L0', reason: 'not surviving the loss of any one data center: sz-a (NO PLAN)' });
    // never rehearsed: the six survivable scopes earn their capability part only
    expect(doc.score).toEqual({ value: 24, byClass: { dc: 32, city: 40, pair: 0 } });
    expect(
      scope('hz')
        .plan.runbooks.map((r: { name: string }) => r.name)
        .sort(),
    ).toEqual(['lab-city-cut', 'lab-city-cut-mysql']);
    expect(scope('hz').dataLoss).toEqual({ bytes: 0, transactions: 0, unknown: false });
    expect(scope('hz').headroom).toEqual({ pct: 33.3, zone: 'RZ03 (sh-a)' });
    expect(scope('sz-a').why).toMatch(/^NO PLAN: no scenario of the catalog covers sz-a; steps of the catalog need it: /);
    // losing Shanghai needs no promotion, but leaves no standby and no Sentinel quorum: one failure from data loss
    expect(scope('sh').oneFailureFromDataLoss).toBe(true);
    expect(scope('sh').leaves.map((l: { text: string }) => l.text)).toEqual(
      expect.arrayContaining([
        'postgres: no standby left for pg-hz-a (pg-sh-a (sh-a) lost)',
        'Sentinel: 1 of 3 sentinels left, it takes 2 to elect: no automatic failover',
      ]),
    );
  });

  it('inspect is clean and recorded', async () => {
    const r = await lab.cli(['inspect', books, ...set()]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Clean: no findings.');
  });
});

describe('faults: the findings name them, in the scopes they hurt', () => {
  it('a frozen PostgreSQL standby (pg-sh-a): every Hangzhou scope, naming it; inspect records the drift and its end', async () => {
    process.kill(pid('pg-sh-a'), 'SIGSTOP');
    try {
      const { code, doc } = await assess();
      expect(code).toBe(1);
      expect(scopesNaming(doc, 'pg-sh-a (sh-a), cannot become primary: unreachable now').sort()).toEqual([...HANGZHOU].sort());
      const r = JSON.parse((await lab.cli(['--json', 'inspect', books, ...set()])).stdout).result;
      expect(r.drift.appeared.filter((k: string) => k.endsWith('lab-city-cut/db-election')).sort()).toEqual([
        'hz-a|lab-city-cut/db-election',
        'hz-b|lab-city-cut/db-election',
        'hz|lab-city-cut/db-election',
      ]);
    } finally {
      process.kill(pid('pg-sh-a'), 'SIGCONT');
    }
    // thawed, the standby first replays what it missed (a lag now is data a loss would take): wait for lag 0
    await waitFor(async () => (await assess(['--scope', 'hz'])).code === 0, 'pg-sh-a caught up', 60_000);
    const after = JSON.parse((await lab.cli(['--json', 'inspect', books, ...set()])).stdout).result;
    expect(after.findings).toBe(0);
    expect(after.drift.resolved.length).toBeGreaterThanOrEqual(3);
  });

  it('a stopped PostgreSQL standby: the same scopes, saying it is stopped', async () => {
    const m = state.pg.members.find((x) => x.name === 'pg-sh-a');
    const pgCtl = (args: string[]): void => {
      const argv = asUser('postgres', [path.join(pgBinDir(), 'pg_ctl'), '-D', m?.dataDir ?? '', ...args]);
      execFileSync(argv[0] ?? '', argv.slice(1), { stdio: 'ignore' });
    };
    pgCtl(['-m', 'fast', '-w', 'stop']);
    try {
      const { doc } = await assess();
      expect(scopesNaming(doc, 'pg-sh-a (sh-a), cannot become primary: stopped now').sort()).toEqual([...HANGZHOU].sort());
    } finally {
      pgCtl(['-l', state.processes.find((p) => p.name === 'pg-sh-a')?.logFile ?? '', '-w', 'start']);
    }
    await waitFor(async () => (await assess(['--scope', 'hz'])).code === 0, 'pg-sh-a back as a standby', 60_000);
  });

  it('a zone filled near capacity in the topology: the Hangzhou scopes report the headroom left', async () => {
    const topo = path.join(books, 'topology.yaml');
    const saved = await readFile(topo, 'utf8');
    await writeFile(topo, saved.replace('RZ03: { capacity: 60', 'RZ03: { capacity: 41'));
    try {
      const { doc } = await assess();
      expect(
        doc.findings
          .filter((f: { what: string }) => f.what === 'headroom')
          .map((f: { scope: string; message: string }) => `${f.scope}: ${f.message.split(': ')[1]}`),
      ).toEqual([
        'hz-a: RZ03 (sh-a) would be left 2.4% headroom (under 10%)',
        'hz-b: RZ03 (sh-a) would be left 2.4% headroom (under 10%)',
        'hz: RZ03 (sh-a) would be left 2.4% headroom (under 10%)',
      ]);
    } finally {
      await writeFile(topo, saved);
    }
  });

  it('a raised DNS TTL: clients would keep the old answer longer than the budget', async () => {
    const dns = state.dns;
    const nsupdate = (ttl: number) =>
      execFileSync('nsupdate', ['-k', dns.keyFile], {
        input: `server 127.0.0.1 ${port('named')}\nzone ${dns.zone}\nupdate delete ${dns.record}.${dns.zone}. A\nupdate add ${dns.record}.${dns.zone}. ${ttl} A ${dns.addresses['hz-a'] ?? '127.0.0.10'}\nsend\n`,
      });
    nsupdate(3600);
    try {
      const { doc } = await assess();
      expect(doc.findings.filter((f: { what: string }) => f.what === 'ttl').map((f: { scope: string }) => f.scope)).toEqual(HANGZHOU);
      expect(doc.findings.find((f: { what: string }) => f.what === 'ttl').message).toBe(
        'hz-a: clients may keep the old DNS answer 3600s, over the budget 26.0s',
      );
    } finally {
      nsupdate(5);
    }
  });

  it('a runbook removed: its scopes have NO PLAN, and inspect says so', async () => {
    const file = lab.book('zone-evacuation.yaml');
    await copyFile(file, `${file}.keep`);
    await rm(file);
    try {
      const { doc } = await assess();
      expect(
        doc.findings
          .filter((f: { what: string }) => f.what === 'no-plan')
          .map((f: { scope: string }) => f.scope)
          .slice(0, 3),
      ).toEqual(['sh-a', 'sh-b', 'sz-a']);
      const r = JSON.parse((await lab.cli(['--json', 'inspect', books, ...set()])).stdout).result;
      expect(r.findingList.map((f: { key: string }) => f.key)).toEqual(['sh-a|no-plan', 'sh-b|no-plan', 'sh|no-plan']);
    } finally {
      await copyFile(`${file}.keep`, file);
    }
  });

  it('a stopped Redis replica (cache-b in sh-b): cache-b cannot fail over for Hangzhou; inspect: since when', async () => {
    execFileSync('redis-cli', ['-p', String(port('cache-b-sh-b')), 'SHUTDOWN', 'NOSAVE'], { stdio: 'ignore' });
    const { doc } = await assess();
    expect(scopesNaming(doc, 'redis cache-b: no replica in sh-b outside').sort()).toEqual([...HANGZHOU].sort());
    const first = JSON.parse((await lab.cli(['--json', 'inspect', books, ...set()])).stdout).result;
    const second = JSON.parse((await lab.cli(['--json', 'inspect', books, ...set()])).stdout).result;
    expectMatchesSchema('inspection', second);
    const key = 'hz-b|lab-city-cut/cache-b';
    expect(second.findingList.find((f: { key: string }) => f.key === key)?.since).toBe(first.startedAt);
    expect(second.drift.appeared).not.toContain(key);
  });

  it('two of three Sentinels stopped: no quorum to elect when a master is lost (cache-a in hz-a)', async () => {
    for (const name of ['sentinel-sh-a', 'sentinel-sh-b']) process.kill(pid(name), 'SIGTERM');
    await waitFor(
      async () =>
        (await assess(['--scope', 'hz-a'])).doc.findings.some((f: { message: string }) => f.message.includes('1 of 3 sentinels left')),
      'the sentinels to be gone',
      60_000,
    );
    const { doc } = await assess();
    expect(scopesNaming(doc, 'cache-a would fail: the master 127.0.0.1:').sort()).toEqual(['hz', 'hz-a']);
    expect(doc.findings.find((f: { key: string }) => f.key === 'hz-a|lab-city-cut/cache-a').message).toContain(
      '1 of 3 sentinels left (it takes 2: quorum 2, majority 2)',
    );
  });
});
