import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

// The live view as an SRE sees it on a terminal: drctl runs in a real pseudo-terminal (tmux), and the
// test reads the screen tmux renders. Steps hold on files the test creates, so every screen read is a
// known moment of the run (no sleeps, no timing).

/** listr2's spinner frames: a line that spins is running. */
const SPIN = '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]';
const SOCKET = `drctl-live-${process.pid}`;
const tmux = (args: readonly string[]) => execa('tmux', ['-L', SOCKET, ...args], { reject: false });
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await tmux(['kill-server']); // our own server only (its own socket)
  await cleanup?.();
  cleanup = undefined;
});

/** a → b → c (each needs the one before); a holds until `go-a` exists, c's undo until `go-undo-c`. */
const runbook = (d: string): string =>
  [
    'apiVersion: drctl/v1',
    'kind: Runbook',
    'metadata: { name: live }',
    'spec:',
    '  readiness:',
    `    - { name: ready-probe, exec: [test, -d, "${d}"] }`,
    '  steadyState:',
    `    - { name: steady-probe, exec: [test, -d, "${d}"] }`,
    '  steps:',
    ...['a', 'b', 'c'].flatMap((id, i) => [
      `    - id: ${id}`,
      '      kind: exec',
      ...(i > 0 ? [`      needs: [${['a', 'b'][i - 1]}]`] : []),
      '      with:',
      `        observe: { cmd: [test, -e, "${d}/${id}.done"] }`,
      `        apply: [sh, -c, "${id === 'a' ? `until [ -e ${d}/go-a ]; do sleep 0.05; done; ` : ''}touch ${d}/${id}.done"]`,
      `        rollback: [sh, -c, "${id === 'c' ? `until [ -e ${d}/go-undo-c ]; do sleep 0.05; done; ` : ''}rm ${d}/${id}.done"]`,
    ]),
    '',
  ].join('\n');

describe('the live view on a terminal', () => {
  it('waiting steps wait, checks show, undos run one after another, and the summary says rolled back', async () => {
    const tmp = await makeTmpDir('drctl-live-');
    cleanup = tmp.cleanup;
    const d = tmp.dir;
    await writeFile(path.join(d, 'live.yaml'), runbook(d));
    // a terminal, no CI: the interactive view (env -u: the test runner's CI must not reach drctl)
    const cmd = `cd ${d} && env -u CI NO_COLOR=1 TERM=xterm node ${BIN} drill live.yaml --yes --state ${d}/state; echo exit=$? > ${d}/exit.txt; sleep 600`;
    expect((await tmux(['new-session', '-d', '-s', 'live', '-x', '160', '-y', '40', cmd])).exitCode).toBe(0);
    const screen = async (): Promise<string> => String((await tmux(['capture-pane', '-p', '-t', 'live'])).stdout);
    const shows = (re: RegExp, what: string) => waitFor(async () => re.test(await screen()) && (await screen()), what, 30_000);

    // a runs (it holds); b and c wait on their needs: the waiting mark, never a spinner
    const holding = await shows(new RegExp(`^\\s*${SPIN} a \\(exec\\)`, 'm'), 'a spinning (its apply holds)');
    expect(holding).toMatch(/^\s*◼ b \(exec\)\s*$/m);
    expect(holding).toMatch(/^\s*◼ c \(exec\)\s*$/m);
    // the readiness and steady-state checks are on the screen
    expect(holding).toMatch(/checks: 2 passed/);
    expect(holding).toMatch(/✓ readiness ready-probe/);
    expect(holding).toMatch(/✓ steadyState \(before the drill\) steady-probe/);

    await writeFile(path.join(d, 'go-a'), '');
    // the fail-back undoes c first; b and a wait behind it
    const undoing = await shows(new RegExp(`^\\s*${SPIN} ↩ c\\s*$`, 'm'), 'the undo of c spinning (it holds)');
    expect(undoing).toMatch(/^\s*◼ ↩ b\s*$/m);
    expect(undoing).toMatch(/^\s*◼ ↩ a\s*$/m);
    await writeFile(path.join(d, 'go-undo-c'), '');

    await waitFor(() => existsSync(path.join(d, 'exit.txt')), 'drctl to exit', 30_000);
    expect(await readFile(path.join(d, 'exit.txt'), 'utf8')).toBe('exit=0\n');
    // the summary is printed under the view's last frame (the pane's history holds all of it)
    const summary = String((await tmux(['capture-pane', '-p', '-t', 'live', '-S', '-500'])).stdout);
    expect(summary).toContain('switch: succeeded, fail-back: succeeded');
    for (const id of ['a', 'b', 'c']) expect(summary).toMatch(new RegExp(`^ +${id} +rolled-back +\\S+$`, 'm'));
  });
});
