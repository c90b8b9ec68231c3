import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from '../util/diagnostic.js';
import { fileNotFound } from '../util/errors.js';
import { validateTopology, type TopologyValidation } from './validate-topology.js';
import { createYamlLocate } from './yaml-locate.js';
import type { Locate } from './diagnostics.js';

export interface LoadedTopology extends TopologyValidation {
  readonly file: string;
  /** Positions in the file, for diagnostics computed later (flip checks). */
  readonly locate: Locate;
}

/** Parse and validate topology YAML text; YAML syntax errors come back as diagnostics too. */
export function parseTopologyText(text: string, file: string): LoadedTopology {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = createYamlLocate(file, text, doc, lines);
  if (doc.errors.length > 0) {
    const diagnostics: Diagnostic[] = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { severity: 'error', code: 'yaml-syntax', message: e.message.split('\n')[0] ?? e.message, file, line, column: col };
    });
    return { file, locate, diagnostics };
  }
  return { file, locate, ...validateTopology(doc.toJS({ maxAliasCount: 100 }), locate) };
}

/** Read a topology file. A missing file is a DrctlError (exit 3); problems inside it are diagnostics. */
export async function loadTopologyFile(file: string): Promise<LoadedTopology> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw fileNotFound('topology file', file);
    throw e;
  }
  return parseTopologyText(text, file);
}
