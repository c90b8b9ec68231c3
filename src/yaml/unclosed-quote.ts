import type { CST } from 'yaml';
import { yamlLib } from './lib.js';

const CLOSED: Readonly<Record<string, RegExp>> = {
  'double-quoted-scalar': /^"(?:[^"\\]|\\[\s\S])*"$/,
  'single-quoted-scalar': /^'(?:[^']|'')*'$/,
};

/**
 * Where the first quoted string that is never closed begins (its opening quote's offset), or undefined.
 * The yaml parser reports an unclosed quote where it gave up, at the end of the file, followed by
 * errors about the collections the runaway string swallowed: this finds the quote that caused them.
 */
export function unclosedQuoteAt(text: string): { offset: number; quote: string } | undefined {
  const { Parser, CST: cst } = yamlLib();
  let found: { offset: number; quote: string } | undefined;
  const check = (token: CST.Token | undefined): void => {
    if (found || !token) return;
    const closed = CLOSED[token.type];
    if (closed && 'source' in token && !closed.test(token.source.trimEnd()))
      found = { offset: token.offset, quote: token.source.charAt(0) };
  };
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    check(token.value);
    cst.visit(token, (item) => {
      check(item.key ?? undefined);
      check(item.value);
    });
    if (found) break;
  }
  return found;
}
