/**
 * A fast reader for the plain YAML runbooks are written in: block maps and sequences (compact `- key:`
 * items included), one-line flow `[...]` / `{...}`, plain, single- and double-quoted one-line scalars,
 * comments. It gives exactly the data `yaml`'s parse() gives (YAML 1.2 core schema) or, at the first
 * thing outside that subset (anchors, tags, block or multi-line scalars, tabs, duplicate keys, documents,
 * odd numbers, anything malformed), `undefined`: the caller then parses with the `yaml` package, which
 * also reports errors with their positions. The `yaml` package reads 1 MB in about a second (a
 * 10,000-step runbook); this reads it in a few tens of ms.
 */

/** Thrown inside to give up; never escapes parseSimpleYaml. */
const GIVE_UP = Symbol('give up');
const giveUp = (): never => {
  throw GIVE_UP;
};

interface Line {
  readonly indent: number;
  /** Content after the indentation (no line break). */
  readonly text: string;
}

/** A plain key: a conservative subset (anything else is left to `yaml`). */
const PLAIN_KEY = /^[A-Za-z0-9_$][A-Za-z0-9_$./-]*/;
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]{1,15}$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
/** Plain scalars the core schema reads as something we leave to `yaml` (big ints, octal, hex, inf, nan). */
const ODD_NUMBER = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', ' ': ' ' };

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
/** Plain keys that are not plain strings to `yaml` (null, booleans, numbers), and `__proto__`. */
const isSpecialKey = (key: string): boolean => key === '__proto__' || NULL.test(key) || BOOL.test(key) || /^[-+.0-9]/.test(key);

/** Does the line start with `key:` (so that `- key: v` opens a map)? */
function isKeyLine(text: string): boolean {
  try {
    new Scan(text).key(false);
    return true;
  } catch (e) {
    if (e === GIVE_UP) return false;
    throw e;
  }
}

/** Scanner over one line's value. */
class Scan {
  #p = 0;
  constructor(private readonly s: string) {}

  /** Only spaces and a comment may follow the value. */
  end(): void {
    if (!this.atEnd()) giveUp();
  }

  /** Skip spaces: is the rest empty or a comment? */
  atEnd(): boolean {
    this.#spaces();
    // a comment needs white space before it (`x}#` is not one)
    return this.#p >= this.s.length || (this.s[this.#p] === '#' && (this.#p === 0 || this.s[this.#p - 1] === ' '));
  }

  /** A map key (plain or quoted) and its `:`, which must be followed by a space (or `,` `}` in flow, or the end). */
  key(flow: boolean): string {
    const c = this.s[this.#p];
    let key: string;
    if (c === '"') key = this.#double();
    else if (c === "'") key = this.#single();
    else {
      const m = PLAIN_KEY.exec(this.s.slice(this.#p)) ?? giveUp();
      key = m[0];
      if (isSpecialKey(key)) giveUp();
      this.#p += key.length;
    }
    if (key === '__proto__') giveUp();
    if (flow) this.#spaces();
    if (this.s[this.#p] !== ':') giveUp();
    this.#p++;
    const after = this.s[this.#p];
    if (!(after === undefined || after === ' ' || (flow && (after === ',' || after === '}')))) giveUp();
    return key;
  }

  #spaces(): number {
    const from = this.#p;
    while (this.s[this.#p] === ' ') this.#p++;
    return this.#p - from;
  }

  value(flow: boolean): unknown {
    const c = this.s[this.#p];
    if (c === '[') return this.#flowSeq();
    if (c === '{') return this.#flowMap();
    if (c === '"') return this.#double();
    if (c === "'") return this.#single();
    return this.#plain(flow);
  }

  #flowSeq(): unknown[] {
    const out: unknown[] = [];
    this.#p++;
    this.#spaces();
    if (this.s[this.#p] === ']') {
      this.#p++;
      return out;
    }
    for (;;) {
      this.#spaces();
      out.push(this.value(true));
      this.#spaces();
      const c = this.s[this.#p++];
      if (c === ']') return out;
      if (c !== ',') giveUp();
    }
  }

  #flowMap(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.#p++;
    this.#spaces();
    if (this.s[this.#p] === '}') {
      this.#p++;
      return out;
    }
    for (;;) {
      this.#spaces();
      const key = this.key(true);
      if (Object.hasOwn(out, key)) giveUp();
      const after = this.s[this.#p];
      if (after === ',' || after === '}') out[key] = null;
      else if (this.#spaces() === 0) giveUp();
      else out[key] = this.value(true);
      this.#spaces();
      const c = this.s[this.#p++];
      if (c === '}') return out;
      if (c !== ',') giveUp();
    }
  }

  #double(): string {
    let out = '';
    let p = this.#p + 1;
    for (;;) {
      const q = this.s.indexOf('"', p);
      const b = this.s.indexOf('\\', p);
      if (q === -1) giveUp(); // continues on the next line
      if (b === -1 || q < b) {
        out += this.s.slice(p, q);
        this.#p = q + 1;
        return out;
      }
      out += this.s.slice(p, b);
      const e = this.s[b + 1] ?? '';
      if (e === 'u' || e === 'x') {
        const hex = this.s.slice(b + 2, b + (e === 'u' ? 6 : 4));
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== (e === 'u' ? 4 : 2)) giveUp();
        out += String.fromCharCode(parseInt(hex, 16));
        p = b + 2 + hex.length;
      } else {
        out += ESCAPES[e] ?? giveUp();
        p = b + 2;
      }
    }
  }

  #single(): string {
    let out = '';
    let p = this.#p + 1;
    for (;;) {
      const q = this.s.indexOf("'", p);
      if (q === -1) giveUp();
      out += this.s.slice(p, q);
      if (this.s[q + 1] === "'") {
        out += "'";
        p = q + 2;
        continue;
      }
      this.#p = q + 1;
      return out;
    }
  }

  /** A plain scalar: up to ` #`, the end, or (in flow) `,` `]` `}`; then resolved by the core schema. */
  #plain(flow: boolean): unknown {
    const s = this.s;
    const start = this.#p;
    const first = s[start] ?? '';
    if (first === '' || '&*!|>%@`#,]}'.includes(first)) giveUp();
    if ('-?:'.includes(first) && (s[start + 1] === undefined || s[start + 1] === ' ' || (flow && ',]}'.includes(s[start + 1] as string)))) giveUp();
    let p = start;
    for (; p < s.length; p++) {
      const c = s[p] as string;
      if (c === '#' && s[p - 1] === ' ') break;
      if (c === ':' && (p + 1 === s.length || s[p + 1] === ' ' || (flow && ',[]{}'.includes(s[p + 1] as string)))) giveUp(); // a key: not a scalar
      if (flow && ',[]{}'.includes(c)) {
        if (c === '[' || c === '{') giveUp();
        break;
      }
    }
    const text = s.slice(start, p).trimEnd();
    this.#p = start + text.length;
    return resolvePlain(text);
  }
}

/** The YAML 1.2 core schema, as the `yaml` package resolves a plain scalar. */
function resolvePlain(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === 't' || text[0] === 'T';
  if (INT.test(text)) return parseInt(text, 10);
  if (ODD_NUMBER.test(text)) giveUp();
  if (FLOAT.test(text) || FLOAT_EXP.test(text)) return parseFloat(text);
  return text;
}
