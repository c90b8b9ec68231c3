import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { DataPath, Locate } from './diagnostics.js';

/**
 * A Locate over a parsed YAML document: the value (or key) node at a data path, falling back to the
 * nearest existing ancestor. (runbook/source-map.ts does the same for runbooks; rules/ may not import
 * runbook/, so this is the small local version.)
 */
export function createYamlLocate(file: string, text: string, doc: Document, lines: LineCounter): Locate {
  return (path, part = 'value') => {
    const found = walk(doc, path);
    const node = part === 'key' && found.complete && found.key ? found.key : found.node;
    const range = node?.range;
    if (!node || !range) return { file, line: 1, column: 1 };
    const { line, col } = lines.linePos(range[0]);
    const lineEnd = text.indexOf('\n', range[0]);
    const end = Math.min(range[1], lineEnd === -1 ? text.length : lineEnd);
    const block = isCollection(node) && !node.flow;
    return { file, line, column: col, length: block ? 1 : Math.max(1, end - range[0]) };
  };
}

function walk(doc: Document, path: DataPath): { node: Node | undefined; key: Node | undefined; complete: boolean } {
  let node = deref(doc, doc.contents);
  let key: Node | undefined;
  for (const segment of path) {
    let next: { key: Node | undefined; value: Node | undefined } | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (pair) {
        const k = isScalar(pair.key) ? pair.key : undefined;
        next = { key: k, value: deref(doc, pair.value) ?? k };
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = deref(doc, node.items[segment]);
      if (item) next = { key: undefined, value: item };
    }
    if (!next) return { node, key, complete: false };
    node = next.value;
    key = next.key;
  }
  return { node, key, complete: true };
}

function deref(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return node.resolve(doc) ?? undefined;
  return (node ?? undefined) as Node | undefined;
}
