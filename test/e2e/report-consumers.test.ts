import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromium } from '../helpers/chromium.js';
import { drctl } from '../helpers/cli.js';
import { junitparser, markdownToHtml, PYTHON, xmllintProblems, type ParsedCase } from '../helpers/junit-consumers.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

/** A stable copy of the phone screenshot for humans: $TMPDIR/drctl-report-consumers/phone.png. */
const ARTIFACTS = path.join(os.tmpdir(), 'drctl-report-consumers');

const cmd = (script: string): string => JSON.stringify(['sh', '-c', script]);
/** An exec step that touches DIR/ID (observe: it exists), undone by removing it unless `rollback` says otherwise. */
const step = (d: string, id: string, extra = '', rollback = `rm -f ${d}/${id}`): string => `    - id: ${id}
      kind: exec${extra}
      with:
        observe: { cmd: [test, -e, ${d}/${id}] }
        apply: ${cmd(`sleep 0.05; touch ${d}/${id}`)}
        rollback: ${cmd(rollback)}`;
const runbook = (name: string, spec: string, steps: string): string => `apiVersion: drctl/v1
kind: Runbook
metadata: { name: ${name} }
spec:
${spec}
  steps:
${steps}
`;

describe('what CI and an SRE read: JUnit, HTML and Markdown of real runs, read by their real consumers', () => {
  let dir = '';
  let state = '';
  let cleanup: () => Promise<void> = async () => {};
  const runIds: Record<string, string> = {};

  /** Run a runbook through the CLI as CI does; its run id. */
  async function runOf(kind: string, mode: string, text: string, want: number): Promise<string> {
    const file = path.join(dir, `${kind}.yaml`);
    await writeFile(file, text);
    const r = await drctl([mode, file, '--yes', '--state', state]);
    expect(r.exitCode, `${kind}: ${r.stdout}\n${r.stderr}`).toBe(want);
    const id = /\(run ([^)]+)\)/.exec(r.stdout)?.[1] ?? '';
    expect(id, r.stdout).not.toBe('');
    return id;
  }
  const junitOf = async (kind: string): Promise<string> => {
    const file = path.join(dir, `${kind}.xml`);
    const r = await drctl(['report', runIds[kind] ?? '', '--format', 'junit', '-o', file, '--state', state]);
    expect(r.exitCode, r.stderr).toBe(0);
    return file;
  };
  const failing = (cases: readonly ParsedCase[]): string[] =>
    cases.filter((c) => c.results.some((x) => x.tag === 'failure')).map((c) => `${c.classname} / ${c.name}`);

  beforeAll(async () => {
    for (const tool of [PYTHON, CHROMIUM, '/usr/bin/xmllint'])
      if (!existsSync(tool)) throw new Error(`${tool} is missing: bash bin/setup-test-env.sh installs it`);
    ({ dir, cleanup } = await makeTmpDir('drctl-consumers-'));
    state = path.join(dir, '.drctl');
    const d = (name: string): string => path.join(dir, name);
    await Promise.all(['budget', 'check', 'undo', 'rehearsal', 'html'].map((n) => mkdir(d(n))));
    // 1. a drill that fails only because the switch went over the runbook's budget (1ms); step a has a budget it meets
    runIds['budget'] = await runOf(
      'budget',
      'drill',
      runbook(
        'budget-drill',
        `  budget: 1ms
  steadyState:
    - { name: served, exec: [test, -d, ${d('budget')}] }`,
        [step(d('budget'), 'a', '\n      budget: 20s'), step(d('budget'), 'b', '\n      needs: [a]')].join('\n'),
      ),
      1,
    );
    // 2. a drill whose steady state does not hold after the switch (b is there), and again after fail-back (it is gone)
    runIds['check'] = await runOf(
      'check',
      'drill',
      runbook(
        'check-drill',
        `  steadyState:
    - { name: served, exec: ${cmd(`! test -e ${d('check')}/b`)} }`,
        [step(d('check'), 'a'), step(d('check'), 'b', '\n      needs: [a]')].join('\n'),
      ),
      1,
    );
    // 3. a drill whose fail-back cannot undo a step
    runIds['undo'] = await runOf(
      'undo',
      'drill',
      runbook(
        'undo-drill',
        '  concurrency: 2',
        [step(d('undo'), 'a'), step(d('undo'), 'b', '\n      needs: [a]', 'echo "rm: permission denied" >&2; exit 3')].join('\n'),
      ),
      1,
    );
    // 4. a rehearsal (an exec "fault"), FAILED on its RTO budget of 1ms
    const r = d('rehearsal');
    runIds['rehearsal'] = await runOf(
      'rehearsal',
      'rehearse',
      runbook(
        'rehearsal-cut',
        `  budget: 1ms
  fault:
    description: cut
    kind: exec
    with: { observe: { cmd: [test, -e, ${r}/fault] }, apply: [touch, ${r}/fault], rollback: [rm, -f, ${r}/fault] }
    detect: [{ name: seen, exec: [test, -e, ${r}/fault], interval: 20ms }]
    detectTimeout: 10s
    recoverTimeout: 10s
  steadyState:
    - { name: served, exec: ${cmd(`! [ -e ${r}/fault ] || [ -e ${r}/dns ]`)}, interval: 50ms }`,
        step(r, 'dns'),
      ),
      1,
    );
    // 5. a run whose step failed with an HTTP error page in its message
    runIds['html'] = await runOf(
      'html',
      'run',
      runbook(
        'html-error',
        '  defaults: { retries: 0 }',
        `    - id: lb
      kind: exec
      with:
        apply: ${cmd('echo "HTTP 502: <h1>502 Bad Gateway</h1> *rule* [x](javascript:alert(1))" >&2; exit 1')}`,
      ),
      1,
    );
  });
  afterAll(async () => cleanup());

  it("every JUnit file validates against Jenkins' JUnit schema (xmllint)", async () => {
    for (const kind of ['budget', 'check', 'undo', 'rehearsal']) expect(await xmllintProblems(await junitOf(kind)), kind).toBe('');
  });

  it('junitparser sees every cause as a failure, with distinct testcase identities (classname + name)', async () => {
    const parsed = Object.fromEntries(
      await Promise.all(['budget', 'check', 'undo', 'rehearsal'].map(async (k) => [k, await junitparser(await junitOf(k))] as const)),
    );
    for (const [kind, p] of Object.entries(parsed)) {
      const ids = p.cases.map((c) => `${c.classname} / ${c.name}`);
      expect(new Set(ids).size, `${kind}: ${ids.join('; ')}`).toBe(ids.length);
      expect(p.failures, kind).toBe(failing(p.cases).length);
      expect(p.failures, kind).toBeGreaterThan(0);
    }
    // the budget drill: CI's test tab is red (it was green: failures="0") — the switch's budget and the outcome fail
    expect(failing(parsed['budget']?.cases ?? [])).toEqual([
      'drctl.drill.budget-drill / drill outcome',
      'drctl.drill.budget-drill.budgets / switch',
    ]);
    const budget = parsed['budget']?.cases.find((c) => c.name === 'switch')?.results[0];
    expect(budget).toMatchObject({ tag: 'failure', type: 'budget' });
    expect(budget?.message).toMatch(/^the switch took \S+, over the runbook's budget of 1ms$/);
    // three steady-state checks, one per phase, every one its own testcase
    expect(parsed['budget']?.cases.filter((c) => c.classname.endsWith('.steadyState')).map((c) => c.name)).toEqual([
      'served (before the drill)',
      'served (after the switch)',
      'served (after fail-back)',
    ]);
    expect(parsed['budget']?.cases.find((c) => c.name === 'step a')?.results).toEqual([]);
    // the check-failed drill: the check after the switch fails, typed check, its detail in the body
    expect(failing(parsed['check']?.cases ?? [])).toContain('drctl.drill.check-drill.steadyState / served (after the switch)');
    const check = parsed['check']?.cases.find((c) => c.name === 'served (after the switch)')?.results[0];
    expect(check).toMatchObject({ tag: 'failure', type: 'check' });
    expect(check?.text).toContain('phase: after the switch');
    // the failed undo: its own testcase (typed rollback, stderr in the body); the forward step passed
    expect(failing(parsed['undo']?.cases ?? [])).toEqual(
      expect.arrayContaining(['drctl.drill.undo-drill.fail-back / undo b (exec)', 'drctl.drill.undo-drill.fail-back / fail-back complete']),
    );
    const undo = parsed['undo']?.cases.find((c) => c.name === 'undo b (exec)')?.results[0];
    expect(undo).toMatchObject({ tag: 'failure', type: 'rollback' });
    expect(undo?.text).toContain('rm: permission denied');
    expect(parsed['undo']?.cases.find((c) => c.name === 'b (exec)')?.results.filter((x) => x.tag === 'failure')).toEqual([]);
    // the rehearsal: its outcome and its RTO budget fail; its steady state has a testcase per phase
    expect(failing(parsed['rehearsal']?.cases ?? [])).toEqual(
      expect.arrayContaining(['drctl.rehearse.rehearsal-cut / rehearsal outcome', 'drctl.rehearse.rehearsal-cut.budgets / RTO']),
    );
    expect(parsed['rehearsal']?.cases.filter((c) => c.classname.endsWith('.steadyState')).map((c) => c.name)).toEqual([
      'served (before the fault)',
      'served (recovered)',
      'served (after fail-back)',
    ]);
  });

  it("a failed step's failure says its phase, attempts and the command's stderr", async () => {
    const file = await junitOf('html');
    expect(await xmllintProblems(file)).toBe('');
    const lb = (await junitparser(file)).cases.find((c) => c.name === 'lb (exec)')?.results[0];
    expect(lb).toMatchObject({ tag: 'failure', type: 'apply' });
    expect(lb?.text).toMatch(/phase: apply\nattempts: 1\n/);
    expect(lb?.text).toContain('<h1>502 Bad Gateway</h1>'); // XML-escaped in the file, the text itself once parsed
  });

  it("the Markdown report renders the estate's HTML and emphasis as text (python-markdown)", async () => {
    const file = path.join(dir, 'html.md');
    expect((await drctl(['report', runIds['html'] ?? '', '--format', 'md', '-o', file, '--state', state])).exitCode).toBe(0);
    const html = await markdownToHtml(file);
    expect(html).toContain('&lt;h1&gt;502 Bad Gateway&lt;/h1&gt; *rule* [x](javascript:alert(1))');
    expect(html).not.toMatch(/<h1>502|<em>rule|<a href/);
    expect(html).toMatch(/<h2>Why it failed<\/h2>/);
  });

  it('the HTML report of the budget-failed drill says why at the top, with every budget (Chromium, desktop and 390 px)', async () => {
    const file = path.join(dir, 'budget.html');
    expect((await drctl(['report', runIds['budget'] ?? '', '--format', 'html', '-o', file, '--state', state])).exitCode).toBe(0);
    const { stdout: dom, code } = await chromium(['--dump-dom', pathToFileURL(file).href], path.join(dir, 'profile-dom'));
    expect(code).toBe(0);
    const cause = /<section id="failure-cause"[^>]*>([\s\S]*?)<\/section>/.exec(dom)?.[1] ?? '';
    expect(cause).toMatch(/data-cause="budget"[\s\S]*switch[\s\S]*the switch took \S+, over the runbook's budget of 1ms/);
    expect(dom.indexOf('id="failure-cause"')).toBeLessThan(dom.indexOf('id="timeline"'));
    expect(dom).toMatch(/<g id="mark-budget"[^>]*>[\s\S]*?switch budget 1ms \(exceeded\)/);
    expect(dom).toMatch(/data-budget-step="a"/);
    expect(dom).toMatch(/<tr data-step-row="a"[^>]*>.*<td data-label="budget" class="n">20\.0s<\/td>/);

    // on a phone: the report in a 390 px frame (headless Chromium's window is at least 500 px wide), measured
    // from the page around it (the report itself runs no script: its CSP forbids it)
    const host = path.join(dir, 'phone-host.html');
    await writeFile(
      host,
      `<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="budget.html" style="width:390px;height:1600px;border:0"></iframe>
<script>document.getElementById('f').addEventListener('load', () => {
  const win = document.getElementById('f').contentWindow, doc = win.document;
  const svg = [...doc.querySelectorAll('svg text')].filter((t) => t.textContent.trim()).map((t) => t.getBoundingClientRect().height).filter((h) => h > 0);
  const text = [...doc.querySelectorAll('td, li, p, th, h1, h2, code')].filter((e) => e.offsetParent !== null).map((e) => parseFloat(win.getComputedStyle(e).fontSize));
  const out = { width: win.innerWidth, minSvgText: Math.min(...svg), minText: Math.min(...text), checksRight: doc.getElementById('checks-table').getBoundingClientRect().right,
    causeTop: doc.getElementById('failure-cause').getBoundingClientRect().top, scrollWidth: doc.documentElement.scrollWidth };
  const pre = document.createElement('pre'); pre.id = 'measure'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});</script></body></html>`,
    );
    const flags = ['--allow-file-access-from-files', '--window-size=500,1600', '--virtual-time-budget=3000'];
    const measured = await chromium(['--dump-dom', ...flags, pathToFileURL(host).href], path.join(dir, 'profile-phone'));
    const m = JSON.parse(/<pre id="measure">([^<]*)<\/pre>/.exec(measured.stdout)?.[1]?.replace(/&quot;/g, '"') ?? '{}') as Record<
      string,
      number
    >;
    expect(m['width'], measured.stdout.slice(0, 300)).toBe(390);
    expect(m['minSvgText'], JSON.stringify(m)).toBeGreaterThanOrEqual(10); // was ~3 px: the timeline keeps its size and scrolls
    expect(m['minText'], JSON.stringify(m)).toBeGreaterThanOrEqual(11);
    expect(m['checksRight'], JSON.stringify(m)).toBeLessThanOrEqual(390); // the checks table fits (was cut off)
    expect(m['scrollWidth'], JSON.stringify(m)).toBeLessThanOrEqual(390); // nothing sticks out of the page
    expect(m['causeTop'], JSON.stringify(m)).toBeLessThan(400); // why it failed is on the first screen
    const png = path.join(dir, 'phone.png');
    expect(
      (
        await chromium(
          [`--screenshot=${png}`, ...flags.filter((f) => !f.startsWith('--virtual')), '--hide-scrollbars', pathToFileURL(host).href],
          path.join(dir, 'profile-shot'),
        )
      ).code,
    ).toBe(0);
    await mkdir(ARTIFACTS, { recursive: true });
    await copyFile(png, path.join(ARTIFACTS, 'phone.png'));
  });
});
