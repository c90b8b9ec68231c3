import type { Document, LineCounter, Node } from 'yaml';
import { yamlLib } from './lib.js';
import type { SourcePosition } from '../util/diagnostic.js';

/** A place in a file: 1-based line/column plus how many characters to underline. */
export interface SourceSpan extends SourcePosition {
  readonly length: number;
}

export type DataPath = readonly (string | number)[];

/**
 * Maps a path into the parsed data (['spec', 'steps', 2, 'needs', 0]) back to the file.
 * Missing nodes fall back to the nearest existing ancestor (for a missing key: the parent map).
 */
export interface SourceMap {
  readonly file: string;
  /** Where the value at `path` is written. */
  locate(path: DataPath): SourceSpan;
  /** Where the KEY of the map entry at `path` is written (unknown fields point here). */
  locateKey(path: DataPath): SourceSpan;
  /** Where `text` (e.g. "${params.x}") is written inside the string value at `path`. */
  locateText(path: DataPath, text: string): SourceSpan;
}

interface Found {
  readonly node: Node | undefined;
  readonly keyNode: Node | undefined;
  readonly complete: boolean;
}

export function createSourceMap(file: string, text: string, doc: Document, lineCounter: LineCounter): SourceMap {
  const spanOf = (node: Node | undefined): SourceSpan => {
    const range = node?.range;
    if (!node || !range) return { file, line: 1, column: 1, length: 1 };
    const { line, col } = lineCounter.linePos(range[0]);
    const block = yamlLib().isCollection(node) && !node.flow;
    const lineEnd = text.indexOf('\n', range[0]);
    const end = Math.min(range[1], lineEnd === -1 ? text.length : lineEnd);
    return { file, line, column: col, length: block ? 1 : Math.max(1, end - range[0]) };
  };
  const walk = (path: DataPath): Found => {
    let node: Node | undefined = resolve(doc, doc.contents ?? undefined);
    let keyNode: Node | undefined;
    for (const segment of path) {
      const next = child(doc, node, segment);
      if (!next) return { node, keyNode, complete: false };
      node = next.value;
      keyNode = next.key;
    }
    return { node, keyNode, complete: true };
  };
  return {
    file,
    locate: (path) => spanOf(walk(path).node),
    locateKey(path) {
      const found = walk(path);
      return spanOf(found.complete && found.keyNode ? found.keyNode : found.node);
    },
    locateText(path, needle) {
      const found = walk(path);
      const range = found.node?.range;
      if (!found.complete || !range) return spanOf(found.node);
      const at = text.slice(range[0], range[1]).indexOf(needle);
      if (at === -1) return spanOf(found.node);
      const { line, col } = lineCounter.linePos(range[0] + at);
      return { file, line, column: col, length: needle.length };
    },
  };
}

function resolve(doc: Document, node: unknown): Node | undefined {
  if (yamlLib().isAlias(node)) return node.resolve(doc) ?? undefined;
  return (node ?? undefined) as Node | undefined;
}

function child(
  doc: Document,
  node: Node | undefined,
  segment: string | number,
): { key: Node | undefined; value: Node | undefined } | undefined {
  const { isMap, isScalar, isSeq } = yamlLib();
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      const name = isScalar(key) ? key.value : key;
      if (String(name) !== String(segment)) continue;
      const keyNode = isScalar(key) ? key : undefined;
      // `key:` with no value: point at the key.
      return { key: keyNode, value: resolve(doc, pair.value) ?? keyNode };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = resolve(doc, node.items[segment]);
    return item ? { key: undefined, value: item } : undefined;
  }
  return undefined;
}
