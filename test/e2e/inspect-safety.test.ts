import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drctl } from '../helpers/cli.js';
import { expectMatchesSchema } from '../helpers/document-schema.js';
import { writeMiniCatalog } from '../helpers/mini-catalog.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

// cron's inspection says when rehearsals cannot happen: an engaged safety lever and a runbook paused after a
// failed rehearsal are findings (exit 1), named in the text, the --json document and the recorded inspection.
let dir = '';
let cleanup = async (): Promise<void> => undefined;
let cat: Awaited<ReturnType<typeof writeMiniCatalog>>;
const cli = (args: string[]) => drctl([...args, '--state', path.join(dir, 'state')], { cwd: dir });
const keys = (doc: { findingList: { key: string }[] }): string[] => doc.findingList.map((f) => f.key);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTmpDir('drctl-inspect-safety-'));
  cat = await writeMiniCatalog(path.join(dir, 'catalog'));
});
afterAll(async () => cleanup());

describe('drctl inspect and the safety controls', () => {
  it('an engaged lever and a paused runbook are findings until released and acknowledged', async () => {
    const clean = await cli(['inspect', 'catalog']);
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('safety: lever released; rehearsals paused: none');

    await writeFile(cat.breach, ''); // the stop condition breached: the rehearsal FAILS before injecting, and pauses
    const failed = await cli(['rehearse', cat.runbook, '--yes', '--ignore-schedule']);
    expect(failed.exitCode, failed.stdout + failed.stderr).toBe(1);
    const runId = /--ack (\S+)/.exec(failed.stderr)?.[1] ?? '';
    expect(runId).not.toBe('');
    await rm(cat.breach);
    expect((await cli(['lever', 'engage', '--reason', 'storage maintenance in w-1'])).exitCode).toBe(0);

    const text = await cli(['inspect', 'catalog']);
    expect(text.exitCode, text.stdout + text.stderr).toBe(1);
    expect(text.stdout).toMatch(/safety: lever ENGAGED by \S+; rehearsals paused: east-cut \(/);
    expect(text.stdout).toMatch(/NEW {2}safety lever engaged by \S+ since \S+: storage maintenance in w-1/);
    expect(text.stdout).toContain(`NEW  east-cut: rehearsals paused after failed rehearsal ${runId}`);
    expect(text.stdout).toContain(`(drctl rehearse east-cut --ack ${runId})`);

    const json = await cli(['--json', 'inspect', 'catalog']);
    expect(json.exitCode).toBe(1);
    const doc = JSON.parse(json.stdout) as {
      ok: boolean;
      result: Parameters<typeof keys>[0] & { id: string; safety: unknown; drift: { appeared: string[] } };
    };
    expect(doc.ok).toBe(false);
    expectMatchesSchema('inspection', doc.result);
    const rec = doc.result;
    expect(keys(rec)).toEqual([expect.stringMatching(/^lever\|/), `paused|east-cut|${runId}`]);
    expect(rec.drift.appeared).toEqual([]); // the same findings as the inspection before: not new
    expect(rec.safety).toMatchObject({
      lever: { engaged: true, reason: 'storage maintenance in w-1' },
      paused: [{ runbook: 'east-cut', runId }],
    });
    // recorded in the store: report renders the recorded inspection with both
    const md = await cli(['report', rec.id, '--format', 'md']);
    expect(md.stdout).toContain('storage maintenance in w-1');
    expect(md.stdout).toContain(`paused after failed rehearsal ${runId}`);

    expect((await cli(['lever', 'release'])).exitCode).toBe(0);
    expect((await cli(['rehearse', cat.runbook, '--ack', runId])).exitCode).toBe(0);
    const after = await cli(['--json', 'inspect', 'catalog']);
    expect(after.exitCode, after.stdout).toBe(0);
    const resolved = JSON.parse(after.stdout).result as { findingList: unknown[]; drift: { resolved: { key: string }[] } };
    expect(resolved.findingList).toEqual([]);
    expect(resolved.drift.resolved.map((f) => f.key)).toEqual([expect.stringMatching(/^lever\|/), `paused|east-cut|${runId}`]);
  });
});
