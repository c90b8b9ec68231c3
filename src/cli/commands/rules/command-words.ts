/**
 * `--catch-up` text → argv, run without a shell. Two forms:
 *   - a JSON array of strings: '["sh", "-c", "test 1 -eq 1"]' (exact, nothing to escape twice);
 *   - words as a POSIX shell splits them, quoting only: 'single quotes' keep everything, "double
 *     quotes" keep everything but \" \\ \$ \` escapes, a backslash outside quotes escapes the next
 *     character. No variables, globs, pipes or redirections: for those, run `sh -c '…'` explicitly.
 * Returns the words, or a message saying what is wrong.
 */
export function parseCommandWords(text: string): { readonly argv: readonly string[] } | { readonly problem: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return parseJsonArgv(trimmed);
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const add = (s: string): void => void (word = (word ?? '') + s);
  while (i < trimmed.length) {
    const c = trimmed.charAt(i);
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = trimmed.indexOf("'", i + 1);
      if (end === -1) return { problem: `unterminated single quote at character ${i + 1}` };
      add(trimmed.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      const r = readDoubleQuoted(trimmed, i + 1);
      if ('problem' in r) return { problem: `${r.problem} (opened at character ${i + 1})` };
      add(r.text);
      i = r.end + 1;
    } else if (c === '\\') {
      if (i + 1 >= trimmed.length) return { problem: 'a backslash at the end escapes nothing' };
      add(trimmed.charAt(i + 1));
      i += 2;
    } else {
      add(c);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words.length === 0 ? { problem: 'it names no command' } : { argv: words };
}

function readDoubleQuoted(text: string, from: number): { text: string; end: number } | { problem: string } {
  let out = '';
  for (let i = from; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') return { text: out, end: i };
    if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text.charAt(i + 1))) {
      out += text.charAt(i + 1);
      i++;
    } else out += c;
  }
  return { problem: 'unterminated double quote' };
}

function parseJsonArgv(text: string): { readonly argv: readonly string[] } | { readonly problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { problem: `it starts with "[" but is not a JSON array (${(e as Error).message})` };
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string'))
    return { problem: 'a JSON argv must be a non-empty array of strings' };
  return { argv: v as string[] };
}
