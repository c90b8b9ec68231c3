import { InvalidArgumentError, Option } from 'commander';
import { writeUserFile } from '../user-files.js';
import type { CliIO } from '../io.js';

/**
 * `-o, --out FILE`, the same option on every command that prints a document: it names the FILE to write
 * (never a format: drctl's formats are `--json` and, for `report`, `--format`). kubectl users read
 * `-o json` as a format, so a bare format word is refused (exit 3) with what to write instead, rather
 * than silently creating a file named `json`; `-o ./json` still writes one. `-o -` is stdout.
 */
export const FORMAT_WORDS: ReadonlySet<string> = new Set([
  'json',
  'yaml',
  'yml',
  'md',
  'markdown',
  'html',
  'junit',
  'xml',
  'text',
  'txt',
  'ndjson',
  'wide',
  'name',
  'table',
  'csv',
  'jsonpath',
  'go-template',
  'custom-columns',
]);

export function outFile(value: string): string {
  const word = value.toLowerCase().split('=')[0] ?? '';
  if (FORMAT_WORDS.has(word)) {
    throw new InvalidArgumentError(
      `"${value}" is a format, not a file: -o/--out names the file to write (formats: --json for JSON on stdout; report --format json|md|junit|html); to write a file named "${value}", say -o ./${value}`,
    );
  }
  return value;
}

export const outOption = (what: string): Option =>
  new Option('-o, --out <file>', `${what} (- for stdout; a format word such as json is refused: use --json)`).argParser(outFile);

/** Write a command's document to `-o FILE` (saying so on stderr) or to stdout. */
export async function writeDocument(io: CliIO, out: string | undefined, text: string, options?: { readonly mode?: number }): Promise<void> {
  if (out === undefined || out === '-') {
    io.out(text.endsWith('\n') ? text.slice(0, -1) : text);
    return;
  }
  await writeUserFile('-o', out, text.endsWith('\n') ? text : `${text}\n`, options);
  io.err(`wrote ${out}`);
}

/**
 * The CliIO a command writes its document through when `-o FILE` was given: everything it prints on
 * stdout is collected and written to FILE at the end (commands that print line by line need no change).
 */
export function collectingIO(io: CliIO): { readonly io: CliIO; text(): string } {
  const lines: string[] = [];
  return { io: { ...io, out: (t: string) => lines.push(t) }, text: () => lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('') };
}
