import { readFile } from 'node:fs/promises';
import type { JournalRecord } from '../model/records.js';
import type { JournalRead } from './store.js';

/** A missing journal reads as `missing` (never silently as an empty one); other read errors throw. */
export async function readJournal(file: string): Promise<JournalRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], corrupt: undefined, missing: true };
    throw e;
  }
  return parseJournalText(text);
}

/** One journal line → its record, or undefined when it is not a complete JSON record. */
export function parseRecord(line: string): JournalRecord | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string' ? (v as JournalRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * NDJSON → records; unparsable lines are reported. A last line without its newline is kept when it is a
 * complete record (the newline is added before the next append); when it is not, it is a torn write.
 */
export function parseJournalText(text: string): JournalRead {
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  const bad: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parseRecord(line);
    if (r) records.push(r);
    else bad.push(i + 1);
  });
  const lastNonEmpty = lines.reduce((acc, l, i) => (l.trim() === '' ? acc : i + 1), 0);
  const corrupt =
    bad.length === 0 ? undefined : { lines: bad, tornTail: bad.length === 1 && bad[0] === lastNonEmpty && !text.endsWith('\n') };
  return { records, corrupt, missing: false };
}
