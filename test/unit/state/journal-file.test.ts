import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { FileJournal, parseJournalText, readJournal, repairTail } from '../../../src/state/journal-file.js';
import type { JournalRecord } from '../../../src/model/records.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const journalFile = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'drctl-journal-'));
  dirs.push(d);
  return join(d, 'journal.ndjson');
};
const rec = (seq: number): JournalRecord => ({
  type: 'step.queued',
  stepId: `s${seq}`,
  runId: 'r',
  at: '2026-01-01T00:00:00.000Z',
  schemaVersion: 2,
  seq,
});
const seqsIn = (file: string): number[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { seq: number }).seq);

describe('FileJournal (group commit)', () => {
  test('appends made together are written in one guarded write, in order, each resolving once on disk', async () => {
    const file = journalFile();
    let writes = 0;
    const j = await FileJournal.open(file, async (w) => {
      writes++;
      await w();
    });
    writes = 0; // open's own guarded step (the torn-tail check)
    const seen: number[][] = [];
    const all = [1, 2, 3, 4, 5].map((n) => j.append(rec(n)).then(() => seen.push(seqsIn(file))));
    await Promise.all(all);
    expect(seqsIn(file)).toEqual([1, 2, 3, 4, 5]);
    expect(writes).toBeLessThanOrEqual(2); // the first alone, then the four that queued behind it
    for (const lines of seen) expect(lines.length).toBeGreaterThan(0);
    await j.close();
  });

  test('a durable append resolves only after its line is in the file', async () => {
    const file = journalFile();
    const j = await FileJournal.open(file);
    for (let n = 1; n <= 20; n++) {
      await j.append(rec(n));
      expect(seqsIn(file).at(-1)).toBe(n);
    }
    await j.close();
  });

  test('lazy records wait for the next durable one and are written before it, in order', async () => {
    const file = journalFile();
    let writes = 0;
    const j = await FileJournal.open(file, async (w) => {
      writes++;
      await w();
    });
    writes = 0;
    const lazy = [j.append(rec(1), { lazy: true }), j.append(rec(2), { lazy: true })];
    expect(writes).toBe(0);
    await j.append(rec(3));
    await Promise.all(lazy);
    expect(seqsIn(file)).toEqual([1, 2, 3]);
    expect(writes).toBe(1);
    await j.close();
  });

  test('close writes lazy records still waiting', async () => {
    const file = journalFile();
    const j = await FileJournal.open(file);
    const lazy = j.append(rec(1), { lazy: true });
    await j.close();
    await lazy;
    expect(seqsIn(file)).toEqual([1]);
  });

  test('a failed write rejects every append of its batch; later appends still work', async () => {
    const file = journalFile();
    let fail = false;
    const j = await FileJournal.open(file, async (w) => {
      if (fail) throw new Error('fenced out');
      await w();
    });
    fail = true;
    const a = j.append(rec(1));
    const b = j.append(rec(2));
    await expect(a).rejects.toThrow('fenced out');
    await expect(b).rejects.toThrow('fenced out');
    fail = false;
    await j.append(rec(3));
    expect(seqsIn(file)).toEqual([3]);
    await j.close();
  });
});

describe('the end of a journal after a crash', () => {
  const line = (n: number): string => JSON.stringify(rec(n));

  test('a complete last record without its newline is a record (kept), not a torn write; the next append starts a line of its own', async () => {
    const file = journalFile();
    writeFileSync(file, `${line(1)}\n${line(2)}`); // the process died between the record and its newline
    expect(parseJournalText(readFileSync(file, 'utf8'))).toMatchObject({ corrupt: undefined, missing: false });
    expect((await readJournal(file)).records.map((r) => r.seq)).toEqual([1, 2]);
    const j = await FileJournal.open(file);
    await j.append(rec(3));
    await j.close();
    expect(seqsIn(file)).toEqual([1, 2, 3]);
    expect(existsSync(`${file}.torn`)).toBe(false);
  });

  test('an unparseable last line without a newline is torn: reported, moved aside, cut off', async () => {
    const file = journalFile();
    writeFileSync(file, `${line(1)}\n{"type":"step.applied","se`);
    const read = await readJournal(file);
    expect(read.records.map((r) => r.seq)).toEqual([1]);
    expect(read.corrupt).toEqual({ lines: [2], tornTail: true });
    expect(await repairTail(file)).toEqual({ torn: '{"type":"step.applied","se', terminated: false });
    expect(readFileSync(file, 'utf8')).toBe(`${line(1)}\n`);
    expect(readFileSync(`${file}.torn`, 'utf8')).toBe('{"type":"step.applied","se\n');
    expect(await repairTail(file)).toEqual({ torn: undefined, terminated: false });
  });

  test('a missing journal reads as missing, never as an empty one', async () => {
    const file = journalFile();
    expect(await readJournal(file)).toEqual({ records: [], corrupt: undefined, missing: true });
    writeFileSync(file, '');
    expect((await readJournal(file)).missing).toBe(false);
  });
});
