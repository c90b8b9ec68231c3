/** The one-line part of the fast YAML reader (fast.ts): keys, flow collections and scalars as `yaml` reads them. */

/** Thrown inside to give up; never escapes parseSimpleYaml. */
export const GIVE_UP = Symbol('give up');
export const giveUp = (): never => {
  throw GIVE_UP;
};

/** A plain key: a conservative subset (anything else is left to `yaml`). */
const PLAIN_KEY = /^[A-Za-z0-9_$][A-Za-z0-9_$./-]*/;
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]{1,15}$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
/** Plain scalars the core schema reads as something we leave to `yaml` (big ints, octal, hex, inf, nan). */
const ODD_NUMBER = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
  ' ': ' ',
};

/** Plain keys that are not plain strings to `yaml` (null, booleans, numbers), and `__proto__`. */
const isSpecialKey = (key: string): boolean => key === '__proto__' || NULL.test(key) || BOOL.test(key) || /^[-+.0-9]/.test(key);

/** Does the line start with `key:` (so that `- key: v` opens a map)? */
export function isKeyLine(text: string): boolean {
  try {
    new Scan(text).key(false);
    return true;
  } catch (e) {
    if (e === GIVE_UP) return false;
    throw e;
  }
}

/** Scanner over one line's value. */
export class Scan {
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
    if ('-?:'.includes(first) && (s[start + 1] === undefined || s[start + 1] === ' ' || (flow && ',]}'.includes(s[start + 1] as string))))
      giveUp();
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
