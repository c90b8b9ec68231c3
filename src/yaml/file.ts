import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { YAMLError } from 'yaml';
import type { Diagnostic } from '../util/diagnostic.js';
import { unreadableFile } from '../util/fs-problem.js';
import { createSourceMap, type SourceMap } from './source-map.js';
import { parseSimpleYaml } from './fast.js';
import { yamlLib } from './lib.js';
import { unclosedQuoteAt } from './unclosed-quote.js';

/** A parsed YAML file: plain data for every later stage, plus the map back to positions. */
export interface LoadedYaml {
  /** Absolute path. */
  readonly file: string;
  readonly text: string;
  /** sha256 hex of the file's bytes. */
  readonly hash: string;
  /** The document as plain JS data (undefined for an empty file). */
  readonly data: unknown;
  readonly sourceMap: SourceMap;
  /** YAML syntax errors ('yaml-syntax'), duplicate keys ('duplicate-key') and YAML warnings. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Read and parse any YAML file (runbooks, topologies, params files). Unreadable (missing, a directory...) → FileProblem. */
export async function loadYamlFile(file: string, what = 'file'): Promise<LoadedYaml> {
  const absolute = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (e) {
    throw unreadableFile(what, file, e);
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  return { ...parseYamlText(absolute, bytes.toString('utf8')), hash };
}

/**
 * Pure part of loadYamlFile: parse text that claims to come from `file`. Plain YAML (what runbooks and
 * topologies are) is read by the fast reader; its source map is built on first use only (when there is
 * something to report), by the full parse below, which also reads everything else.
 */
export function parseYamlText(file: string, text: string): Omit<LoadedYaml, 'hash'> {
  const fast = parseSimpleYaml(text);
  if (fast) return { file, text, data: fast.value, sourceMap: lazySourceMap(file, text), diagnostics: [] };
  return parseFully(file, text);
}

function lazySourceMap(file: string, text: string): SourceMap {
  let map: SourceMap | undefined;
  const get = (): SourceMap => (map ??= parseFully(file, text).sourceMap);
  return { file, locate: (p) => get().locate(p), locateKey: (p) => get().locateKey(p), locateText: (p, t) => get().locateText(p, t) };
}

function parseFully(file: string, text: string): Omit<LoadedYaml, 'hash'> {
  const { LineCounter, parseDocument } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toDiagnostic = (e: YAMLError, severity: Diagnostic['severity']): Diagnostic => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    const duplicate = e.code === 'DUPLICATE_KEY';
    return {
      severity,
      code: duplicate ? 'duplicate-key' : 'yaml-syntax',
      message: duplicate ? `duplicate key "${text.slice(e.pos[0], e.pos[1]) || '?'}"` : yamlMessage(e),
      file,
      line,
      column: col,
      length: Math.max(1, e.pos[1] - e.pos[0]),
      ...(duplicate ? { hint: 'a key may appear only once in a map: the later value would silently win' } : {}),
    };
  };
  // an unclosed quote: one error at the opening quote, not a cascade where the parser gave up (the end)
  const runaway = doc.errors.some((e) => e.code === 'MISSING_CHAR' && /quote/i.test(e.message)) ? unclosedQuoteAt(text) : undefined;
  const kept = (e: YAMLError): boolean => runaway === undefined || e.pos[0] < runaway.offset;
  const diagnostics = [
    ...doc.errors.filter(kept).map((e) => toDiagnostic(e, 'error')),
    ...doc.warnings.filter(kept).map((e) => toDiagnostic(e, 'warning')),
  ];
  if (runaway) {
    const { line, col } = lineCounter.linePos(runaway.offset);
    diagnostics.push({
      severity: 'error',
      code: 'yaml-syntax',
      message: `YAML syntax: this quoted text is never closed (no closing ${runaway.quote} before the end of the file)`,
      file,
      line,
      column: col,
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) ?? undefined;
  } catch (e) {
    data = undefined;
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: (e as Error).message, file, line: 1, column: 1 });
  }
  return { file, text, data, sourceMap: createSourceMap(file, text, doc, lineCounter), diagnostics };
}

/** True when parsing failed badly enough that the data cannot be trusted (not just duplicate keys). */
export function hasSyntaxErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error' && d.code === 'yaml-syntax');
}

function yamlMessage(e: YAMLError): string {
  const first = e.message.split('\n')[0] ?? e.message;
  const text = first.replace(/ at line \d+, column \d+:?$/, '');
  return `YAML syntax: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}
