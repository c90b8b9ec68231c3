import { isAbsolute, relative } from 'node:path';
import type { Diagnostic, SourcePosition } from '../../util/diagnostic.js';
import { createStyle, type Style } from './style.js';

export interface RenderDiagnosticsOptions {
  readonly color: boolean;
}

type Palette = Style;

/**
 * file:line:column: error: message   (file: error: message when it has no position)
 *    12 |     tiemout: 30s
 *       |     ^~~~~~~
 *   hint: ...
 *   file:line:col: note: ...
 * and a final "N errors, M warnings" line.
 */
export function renderDiagnostics(
  diags: readonly Diagnostic[],
  sources: (file: string) => string | undefined,
  options: RenderDiagnosticsOptions,
): string {
  const c = createStyle(options.color);
  const lineCache = new Map<string, readonly string[] | undefined>();
  const linesOf = (file: string): readonly string[] | undefined => {
    if (!lineCache.has(file)) lineCache.set(file, sources(file)?.split(/\r?\n/));
    return lineCache.get(file);
  };
  const blocks = diags.map((d) => {
    const label = d.severity === 'error' ? c.red(c.bold('error')) : c.yellow(c.bold('warning'));
    const out = [`${c.bold(where(d))}: ${label}: ${d.message}`];
    const source = linesOf(d.file)?.[d.line - 1];
    if (source !== undefined) out.push(...excerpt(source, d, c));
    if (d.hint) out.push(`  ${c.cyan('hint')}: ${d.hint}`);
    for (const r of d.related ?? []) out.push(`  ${where(r)}: ${c.cyan('note')}: ${r.message}`);
    return out.join('\n');
  });
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  const summary = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  return [...blocks, errors > 0 ? c.red(summary) : summary].join('\n\n') + '\n';
}

function excerpt(source: string, d: Diagnostic, c: Palette): string[] {
  const gutter = String(d.line);
  const pad = ' '.repeat(gutter.length);
  const before = source.slice(0, Math.max(0, d.column - 1)).replace(/[^\t]/g, ' ');
  const room = Math.max(1, source.length - (d.column - 1));
  const length = Math.max(1, Math.min(d.length ?? 1, room));
  const caret = `^${'~'.repeat(length - 1)}`;
  return [
    `${c.dim(` ${gutter} |`)} ${source}`,
    `${c.dim(` ${pad} |`)} ${before}${d.severity === 'error' ? c.red(caret) : c.yellow(caret)}`,
  ];
}

/** file:line:column, the path relative to the current directory when inside it; line 0 = the whole file (or a flag). */
function where(p: SourcePosition): string {
  return p.line > 0 ? `${displayPath(p.file)}:${p.line}:${p.column}` : displayPath(p.file);
}

export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
