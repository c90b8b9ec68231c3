/**
 * A fast reader for the plain YAML runbooks are written in: block maps and sequences (compact `- key:`
 * items included), one-line flow `[...]` / `{...}`, plain, single- and double-quoted one-line scalars,
 * comments. It gives exactly the data `yaml`'s parse() gives (YAML 1.2 core schema) or, at the first
 * thing outside that subset (anchors, tags, block or multi-line scalars, tabs, duplicate keys, documents,
 * odd numbers, anything malformed), `undefined`: the caller then parses with the `yaml` package, which
 * also reports errors with their positions. The `yaml` package reads 1 MB in about a second (a
 * 10,000-step runbook); this reads it in a few tens of ms.
 */
import { GIVE_UP, giveUp, isKeyLine, Scan } from './fast-scan.js';

interface Line {
  readonly indent: number;
  /** Content after the indentation (no line break). */
  readonly text: string;
}

/** The data of `text`, or undefined when it is not in the simple subset (use the `yaml` package then). */
export function parseSimpleYaml(text: string): { readonly value: unknown } | undefined {
  if (/[\t\r\uFEFF\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029]/.test(text)) return undefined; // tabs, CR, BOM, controls, odd line breaks
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const body = raw.trimStart();
    if (body === '' || body.startsWith('#')) continue; // blank or comment-only
    const indent = raw.length - body.length;
    if (indent === 0 && /^(?:---|\.\.\.|%)/.test(body)) return undefined; // documents, directives
    lines.push({ indent, text: body.trimEnd() });
  }
  if (lines.length === 0) return undefined;
  try {
    const reader = new Reader(lines);
    const value = reader.block((lines[0] as Line).indent);
    if (!reader.done()) return undefined;
    return { value };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

class Reader {
  #i = 0;
  constructor(private readonly lines: Line[]) {}

  done(): boolean {
    return this.#i >= this.lines.length;
  }

  #peek(): Line | undefined {
    return this.lines[this.#i];
  }

  /** The block (map or sequence) whose first line is the current one, at `indent`. */
  block(indent: number): unknown {
    const line = this.#peek() ?? giveUp();
    if (line.indent !== indent) giveUp();
    return isItem(line.text) ? this.#sequence(indent) : this.#map(indent);
  }

  #sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.#peek(); line && line.indent === indent && isItem(line.text); line = this.#peek()) {
      const rest = line.text.slice(1);
      const body = rest.trimStart();
      if (body === '' || body.startsWith('#')) {
        this.#i++;
        out.push(this.#nested(indent));
        continue;
      }
      const column = indent + 1 + rest.length - body.length;
      if (isItem(body) || isKeyLine(body)) {
        // compact nesting: `- key: value` / `- - x` starts a block at the column of its first token
        this.lines[this.#i] = { indent: column, text: body };
        out.push(this.block(column));
        continue;
      }
      this.#i++;
      out.push(this.#inline(body));
      this.#noDeeper(indent);
    }
    return out;
  }

  #map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.#peek(); line && line.indent === indent && !isItem(line.text); line = this.#peek()) {
      const s = new Scan(line.text);
      const key = s.key(false);
      if (Object.hasOwn(out, key)) giveUp();
      this.#i++;
      if (s.atEnd()) {
        const next = this.#peek();
        // a sequence may sit at the same indentation as its key
        out[key] = next && next.indent === indent && isItem(next.text) ? this.#sequence(indent) : this.#nested(indent);
      } else {
        out[key] = s.value(false);
        s.end();
        this.#noDeeper(indent);
      }
    }
    return out;
  }

  /** The value of an entry with nothing after its `:` / `-`: a deeper block, or null. */
  #nested(indent: number): unknown {
    const next = this.#peek();
    return next && next.indent > indent ? this.block(next.indent) : null;
  }

  /** After a one-line value, a deeper line would be a continuation (multi-line scalar) or an error. */
  #noDeeper(indent: number): void {
    const next = this.#peek();
    if (next && next.indent > indent) giveUp();
  }

  /** A whole one-line value (flow collection or scalar), then only an optional comment. */
  #inline(text: string): unknown {
    const s = new Scan(text);
    const value = s.value(false);
    s.end();
    return value;
  }
}

const isItem = (text: string): boolean => text === '-' || text.startsWith('- ');
