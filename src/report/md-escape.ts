/**
 * Text from the estate (an error carrying an HTTP body, a command's stderr, a check's detail) as Markdown
 * that renders as the same text in CommonMark, GitLab, pandoc and python-markdown: HTML is entity-escaped,
 * emphasis, code, links, tables, strike-through, pandoc's math/superscript/citations are backslash-escaped,
 * and line breaks become <br> (a raw newline could start a heading or a list, or end a table row).
 */
export function md(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~$^@#]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, '<br>')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** Inline code for an identifier (a run id): a backtick fence longer than any run of backticks inside. */
export function mdCode(value: string): string {
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest > 0 ? ' ' : ''}${value.replace(/\r?\n/g, ' ')}${longest > 0 ? ' ' : ''}${fence}`;
}
