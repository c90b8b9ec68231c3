const REDACTED = '***';

/** A secret value: prints as *** everywhere (toString, JSON, util.inspect). Read with reveal(). */
export class Secret {
  readonly #value: string;
  constructor(value: string, readonly name: string) {
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

/** Replace every occurrence of the given secret values in a text. */
export function redact(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s.reveal();
    if (v.length > 0) out = out.split(v).join(REDACTED);
  }
  return out;
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
