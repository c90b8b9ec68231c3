import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAT } from '../../src/report/assessment-html.js';
import { chromium, expectSelfContained, hex } from '../helpers/chromium.js';
import { drctl } from '../helpers/cli.js';
import { decodePng } from '../helpers/png.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

// `drctl assess --format html`: one self-contained file, read by a real browser (headless Chromium): the
// heat map of scopes × checks is in the DOM as rendered, and its colours are painted.
const TOPOLOGY = `apiVersion: drctl/v1
kind: Topology
metadata: { name: heat }
spec:
  shardCount: 2
  cities:
    a: { dcs: { a-1: { zones: { Z1: { capacity: 2, shards: ["0"], partners: [Z2] } } } } }
    b: { dcs: { b-1: { zones: { Z2: { capacity: 2, shards: ["1"], partners: [Z1] } } } } }
`;
const book = (name: string, lost: string, dc: string): string => `apiVersion: drctl/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  topology: topology.yaml
  scenarios: [{ name: ${lost}-down, lost: [${lost}] }]
  steps:
    - { id: move, kind: exec, dc: ${dc}, with: { observe: { cmd: [test, -e, moved] }, apply: [touch, moved] } }
    - { id: other, kind: exec, with: { observe: { cmd: [test, -e, moved] }, apply: [touch, moved] } }
`;

let dir = '';
let cleanup = async (): Promise<void> => undefined;
let html = '';
beforeAll(async () => {
  ({ dir, cleanup } = await makeTmpDir('drctl-heat-'));
  await writeFile(path.join(dir, 'topology.yaml'), TOPOLOGY);
  await writeFile(path.join(dir, 'a.yaml'), book('save-a', 'a-1', 'b-1')); // survivable (but one step cannot be judged)
  await writeFile(path.join(dir, 'b.yaml'), book('save-b', 'b-1', 'b-1')); // needs what it loses
  await mkdir(path.join(dir, 'out'));
  const r = await drctl(['assess', '.', '--format', 'html', '-o', 'out/heat.html', '--state', 'state'], { cwd: dir });
  expect(r.exitCode, r.stderr).toBe(1);
  html = await readFile(path.join(dir, 'out/heat.html'), 'utf8');
});
afterAll(async () => cleanup());

describe('the assessment heat map (HTML)', () => {
  it('is one self-contained file', () => {
    expectSelfContained(html);
    expect(html).toMatch(/^<!DOCTYPE html>/);
  });

  it('Chromium reads the matrix: a row per scope, a cell per check with its verdict, the level', async () => {
    const { stdout, code } = await chromium(
      ['--dump-dom', pathToFileURL(path.join(dir, 'out/heat.html')).href],
      path.join(dir, 'profile-dom'),
    );
    expect(code).toBe(0);
    expect([...stdout.matchAll(/<tr data-scope="([^"]+)"/g)].map((m) => m[1])).toEqual(['a-1', 'b-1', 'a-1+b-1']);
    const cell = (scope: string, check: string): string | undefined =>
      new RegExp(`<tr data-scope="${scope.replace('+', '\\+')}">.*?data-check="${check}" data-verdict="(\\w+)"`).exec(stdout)?.[1];
    expect([cell('a-1', 'other'), cell('b-1', 'other'), cell('a-1+b-1', 'other')]).toEqual(['unknown', 'fail', 'none']);
    expect(/<body[^>]*>/.exec(stdout)?.[0]).toBe('<body data-level="L0" data-findings="4">');
    expect([...stdout.matchAll(/<li class="bad" data-finding="([^"]+)">/g)].map((m) => m[1])).toEqual([
      'a-1|save-a/other',
      'b-1|save-b/move',
      'b-1|save-b/other',
      'a-1+b-1|no-plan',
    ]);
  });

  it("paints the verdicts' colours", async () => {
    const png = path.join(dir, 'heat.png');
    const { code } = await chromium(
      [`--screenshot=${png}`, '--window-size=1200,900', '--hide-scrollbars', pathToFileURL(path.join(dir, 'out/heat.html')).href],
      path.join(dir, 'profile-shot'),
    );
    expect(code).toBe(0);
    const img = decodePng(await readFile(png));
    const counts = new Map<number, number>();
    for (let y = 0; y < img.height; y += 2)
      for (let x = 0; x < img.width; x += 2) counts.set(img.pixel(x, y), (counts.get(img.pixel(x, y)) ?? 0) + 1);
    for (const [verdict, colour] of Object.entries(HEAT)) expect(counts.get(hex(colour)) ?? 0, verdict).toBeGreaterThan(20);
  });
});
