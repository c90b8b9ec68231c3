import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { drctl, spawnDrctl } from '../helpers/cli.js';
import { HOME, startPrivateLab, type PrivateLab } from '../helpers/private-lab.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue 19: a rehearsal (or a drill) whose controller dies after the cut is recovered, by `drctl rollback`,
// to where it started — not half-way. The controller is SIGKILLed at several points after t0 (before
// detection, mid-switch with a step cut off mid-apply, during the fail-back); Sentinel keeps electing
// on its own while nobody watches. After `drctl rollback RUN_ID` the lab is exactly as before the
// rehearsal: every Redis master, the PostgreSQL primary, HAProxy, the DNS answer, the middleware key, the
// routing rules (map, cut set, fence), nothing frozen — and a plan of the runbook says the same as before.
let lab: PrivateLab;
let cityCut = '';
const set = () => ['--set', `labDir=${lab.labDir}`];

beforeAll(async () => {
  lab = await startPrivateLab('drctl-lab-death-');
  cityCut = lab.book('city-cut.yaml');
  // the runbook's year-end blackout must not make this test depend on the date it runs
  const text = await readFile(cityCut, 'utf8');
  await writeFile(cityCut, text.replace('date: "2026-12-31"', 'date: "2000-01-01"'));
});
afterAll(async () => lab?.down());

type Event = { type: string; stepId?: string; runId?: string; message?: string };

/** Everything a switch touches, as `lab status` and `rules show` tell it, plus what is frozen or dead. */
async function estate(): Promise<Record<string, unknown>> {
  const view = await lab.status();
  const s = JSON.parse((await lab.cli(['lab', 'status', '--dir', lab.labDir, '--json'])).stdout).result;
  const rules = await lab.cli([
    'rules',
    'show',
    '--json',
    '--store',
    `redis://127.0.0.1:${lab.base + 20}`,
    '--topology',
    lab.book('topology.yaml'),
  ]);
  const r = JSON.parse(rules.stdout).result;
  return {
    ...view,
    notRunning: s.processes.filter((p: { alive: boolean; frozen: boolean }) => !p.alive || p.frozen).map((p: { name: string }) => p.name),
    rules: { cut: r.cut, fence: r.fence, zones: r.zones },
  };
}

/**
 * The estate once it has settled: servers just restarted (a PostgreSQL member after pg_rewind) or just
 * reconfigured (Sentinel's replicas) answer `lab status` a moment later. Polled, never slept.
 */
async function settledEstate(want: (view: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await waitFor(async () => want((last = await estate())), 'the lab to settle', 60_000, 500).catch(() => undefined);
  return last;
}

/** Before a rehearsal: the lab at home (every server answering), as `lab up` left it. */
const atHome = () => settledEstate((v) => isDeepStrictEqual(Object.fromEntries(Object.keys(HOME).map((k) => [k, v[k]])), HOME));
/** After the rollback: exactly as before (a difference that stays 60 s is a real one). */
const asBefore = (before: Record<string, unknown>) => settledEstate((v) => isDeepStrictEqual(v, before));

/** What a plan of the runbook says each step would do (its action and its words). */
async function planOf(): Promise<unknown> {
  const p = await lab.cli(['plan', cityCut, '--json', ...set()]);
  const plan = JSON.parse(p.stdout).result as { steps: { id: string; action: string; describe: string }[] };
  return plan.steps.map((st) => ({ id: st.id, action: st.action, describe: st.describe }));
}

/** Start `drctl MODE …--json`, SIGKILL it as soon as it writes the event `when` matches; its run id. */
async function killAt(args: readonly string[], when: (e: Event) => boolean, env: Record<string, string>, cwd?: string): Promise<string> {
  const child = spawnDrctl([...args, '--json'], { env, ...(cwd ? { cwd } : {}) });
  let runId = '';
  let buffer = '';
  let killed = false;
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const e = JSON.parse(line) as Event;
      runId ||= e.runId ?? '';
      if (!killed && when(e)) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  });
  const r = await child;
  const failures = String(r.stdout)
    .split('\n')
    .filter((l) => /"type":"(step\.failed|check\.failed|run\.finished|error)"/.test(l));
  expect(killed, `never reached the kill point: exit ${r.exitCode}\n${String(r.stderr)}\n${failures.join('\n')}`).toBe(true);
  expect(r.signal).toBe('SIGKILL');
  return runId;
}

describe('a controller killed after the cut: drctl rollback returns the lab to where it started', () => {
  const stateEnv = (name: string) => ({ DRCTL_STATE: path.join(lab.dir, name) });
  const rehearse = () => ['rehearse', cityCut, '--yes', '--ignore-schedule', ...set()];

  it.each([
    // t0 + a few ms: Hangzhou frozen, Sentinel not yet electing; it elects during the death (nobody watching)
    ['before detection', (e: Event) => e.type === 'fault.injected', true],
    // the database promoted in Shanghai, the caches elected by Sentinel, the routing-rule flip cut off mid-apply
    ['during the switch, a step cut off mid-apply', (e: Event) => e.type === 'step.intent' && e.stepId === 'rules', true],
    // the routing-rule flip's fence is up (its owner, this process, then dies): the rollback takes it over
    [
      'right after the rules step fenced its shards',
      (e: Event) => e.type === 'step.progress' && e.stepId === 'rules' && /^fence done/.test(e.message ?? ''),
      true,
    ],
    // the fault restored, the fail-back undid one step, then the controller died
    ['during the fail-back', (e: Event) => e.type === 'step.rolled-back', false],
  ])('killed %s', async (_when, at, faultLeft) => {
    const env = stateEnv(`state-${_when.replace(/\W+/g, '-')}`);
    const before = await atHome();
    const planBefore = await planOf();
    const runId = await killAt(rehearse(), at, env);

    // status names the run as needing rollback, and the fault it left in place
    const status = await drctl(['status'], { env });
    expect(status.stdout).toContain(`${runId} (rehearse of lab-city-cut)`);
    expect(status.stdout).toContain('NEEDS ROLLBACK');
    if (faultLeft) expect(status.stdout).toMatch(/FAULT LEFT IN PLACE: freeze hz-a, hz-b \(\d+ processes\)/);
    else expect(status.stdout).not.toContain('FAULT LEFT IN PLACE');

    const back = await drctl(['rollback', runId, '--yes'], { env });
    expect(back.exitCode, back.stdout + back.stderr).toBe(0);
    // its own summary: what it restored and what was already as before; never the run's table of waiting steps
    expect(back.stdout).toMatch(
      new RegExp(
        `^rollback of run ${runId} \\(rehearse of lab-city-cut\\) succeeded in \\S+: every step back to the baseline observed before the fault$`,
        'm',
      ),
    );
    expect(back.stdout).not.toMatch(/\bwaiting\b/);
    if (faultLeft) expect(back.stdout).toMatch(/^ {2}fault restored: thaw hz-a, hz-b/m);

    expect(await asBefore(before)).toEqual(before);
    expect(await planOf()).toEqual(planBefore);
    const record = JSON.parse((await drctl(['report', runId, '--format', 'json'], { env })).stdout).result.run;
    expect(record.rolledBack).toMatchObject({ ok: true, to: 'baseline', failed: {}, notReached: [] });
    expect([...record.rolledBack.restored, ...record.rolledBack.alreadyAsBefore].sort()).toEqual([
      'cache-a',
      'cache-b',
      'db-election',
      'dns',
      'lb',
      'middleware',
      'middleware-consumers',
      'rules',
    ]);
    expect((await drctl(['status'], { env })).stdout).not.toContain(runId);
  });

  it('a shared store (Redis): the rehearsal dies mid-switch, and rollback runs from another process and working folder', async () => {
    const env = { DRCTL_STATE: `redis://127.0.0.1:${lab.base + 20}/5?prefix=death:` };
    const before = await atHome();
    const runId = await killAt(rehearse(), (e) => e.type === 'step.applied' && e.stepId === 'db-election', env);
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'drctl-elsewhere-'));
    try {
      // another controller: only the store's URL, in a folder with no runbook and no .drctl
      const status = await drctl(['status'], { env, cwd: elsewhere });
      expect(status.stdout).toContain('NEEDS ROLLBACK');
      const back = await drctl(['rollback', runId, '--yes'], { env, cwd: elsewhere });
      expect(back.exitCode, back.stdout + back.stderr).toBe(0);
      expect(back.stdout).toMatch(/^ {2}rolled back \(\d+\): .*db-election/m);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
    expect(await asBefore(before)).toEqual(before);
  });

  it('a drill killed mid-switch, rolled back, returns to the state it found', async () => {
    const env = stateEnv('state-drill');
    const before = await atHome();
    const planBefore = await planOf();
    // the database switched, the cache failovers (SENTINEL FAILOVER) in flight beside it
    const runId = await killAt(['drill', cityCut, '--yes', ...set()], (e) => e.type === 'step.applied' && e.stepId === 'db-election', env);
    const back = await drctl(['rollback', runId, '--yes'], { env });
    expect(back.exitCode, back.stdout + back.stderr).toBe(0);
    expect(back.stdout).toMatch(
      new RegExp(
        `^rollback of run ${runId} \\(drill of lab-city-cut\\) succeeded in \\S+: every step back to the state the drill found it in$`,
        'm',
      ),
    );
    expect(await asBefore(before)).toEqual(before);
    expect(await planOf()).toEqual(planBefore);
  });
});
