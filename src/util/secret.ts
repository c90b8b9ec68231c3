const REDACTED = '***';

/** A secret value: prints as *** everywhere (toString, JSON, util.inspect). Read with reveal(). */
export class Secret {
  readonly #value: string;
  constructor(
    value: string,
    readonly name: string,
  ) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export const isSecret = (v: unknown): v is Secret => v instanceof Secret;

/** Base64 forms shorter than this are not masked: they would mask ordinary text. */
const MIN_BASE64_LENGTH = 6;
const formsCache = new WeakMap<Secret, readonly string[]>();

/** JSON string escaping, without the quotes: how a value appears inside a JSON document. */
const jsonEscaped = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * Every form a secret value may take in a text: as is; URL-encoded (encodeURIComponent, and form
 * encoding with + for spaces); base64 (standard and URL-safe, and the characters that stay the same
 * wherever it sits inside a longer base64 text, as in Basic auth); and each of these JSON-escaped once
 * (a command printed JSON) and twice (that output inside a journal line). Longest first.
 */
export function secretForms(secret: Secret): readonly string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const value = secret.reveal();
  const bytes = Buffer.from(value, 'utf8');
  const encoded = [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)];
  const base64 = [bytes.toString('base64'), bytes.toString('base64url')];
  for (let skip = 0; skip < 3; skip++) {
    // the secret at each alignment inside a longer base64 text: only whole 3-byte groups are stable
    const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
    if (whole.length > 0) base64.push(whole.toString('base64'), whole.toString('base64url'));
  }
  const all = new Set<string>();
  // a base64 text of a short secret is a few common letters: only longer ones are masked
  for (const form of [...encoded, ...base64.filter((b) => b.length >= MIN_BASE64_LENGTH)]) {
    for (const f of [form, jsonEscaped(form), jsonEscaped(jsonEscaped(form))]) if (f.length > 0) all.add(f);
  }
  const forms = [...all].sort((a, b) => b.length - a.length);
  formsCache.set(secret, forms);
  return forms;
}

/**
 * Replace every occurrence of the given secret values, in every form they may take (secretForms), in a
 * text. A JSON text stays valid JSON: where masking a raw value would cut through its syntax (a secret
 * with a quote), its strings are masked one by one instead.
 */
export function redact(text: string, secrets: readonly Secret[]): string {
  if (secrets.length === 0) return text;
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const out = mask(text, forms);
  if (out === text || !/^\s*[[{]/.test(text) || parses(out)) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return out;
  }
  const indent = /^[[{]\n( +)/.exec(text)?.[1]?.length;
  return JSON.stringify(maskDeep(doc, forms), null, indent);
}

function mask(text: string, forms: readonly string[]): string {
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

function maskDeep(value: unknown, forms: readonly string[]): unknown {
  if (typeof value === 'string') return mask(value, forms);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, forms));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k, forms), maskDeep(v, forms)]));
  }
  return value;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Deeply reveal secrets inside a value (used right before handing argv to a process). */
export function revealDeep(value: unknown): unknown {
  if (isSecret(value)) return value.reveal();
  if (Array.isArray(value)) return value.map(revealDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealDeep(v)]));
  }
  return value;
}

/**
 * A value with every secret masked (as `redact` does to its JSON): the value itself when nothing was
 * masked, so the common case costs one JSON.stringify and no parse.
 */
export function scrubValue<T>(value: T, redactText: (text: string) => string): T {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const masked = redactText(text);
  return masked === text ? value : (JSON.parse(masked) as T);
}
