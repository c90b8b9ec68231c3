import { describe, expect, it } from 'vitest';
import { redact, Secret } from '../../../src/util/secret.js';

const VALUE = 'pa"ss w/rd\\9Xq+&=%é';
const secret = new Secret(VALUE, 'TOK');
const b64 = (t: string): string => Buffer.from(t, 'utf8').toString('base64');

describe('redact: a secret is masked in every form a command may print it', () => {
  const forms: [string, string][] = [
    ['as is', VALUE],
    ['JSON-escaped (a command printed JSON)', JSON.stringify(VALUE).slice(1, -1)],
    ['JSON-escaped twice (that output inside a journal line)', JSON.stringify(JSON.stringify(VALUE).slice(1, -1)).slice(1, -1)],
    ['encodeURIComponent', encodeURIComponent(VALUE)],
    ['form encoding (+ for spaces)', new URLSearchParams({ t: VALUE }).toString().slice(2)],
    ['base64', b64(VALUE)],
    ['base64url', Buffer.from(VALUE).toString('base64url')],
    ['URL-encoded, then JSON-escaped', JSON.stringify(encodeURIComponent(VALUE)).slice(1, -1)],
  ];
  it.each(forms)('%s', (_what, form) => {
    const text = `before ${form} after`;
    expect(form).not.toBe('');
    expect(redact(text, [secret])).toBe('before *** after');
  });

  it("inside a longer base64 text (Basic auth), at every alignment: the secret's bytes are gone", () => {
    for (const prefix of ['u:', 'us:', 'use:']) {
      const text = `Authorization: Basic ${b64(prefix + VALUE)}`;
      const masked = redact(text, [secret]);
      expect(masked).toContain('***');
      const left = masked.slice('Authorization: Basic '.length).split('***');
      // what is left of the encoding is at most the partial groups at both ends
      expect(left.join('').length).toBeLessThanOrEqual(b64(prefix).length + 8);
    }
  });

  it('a JSON text stays valid JSON, also for a secret with a quote at its end', () => {
    const quoted = new Secret('abc"', 'Q');
    const doc = JSON.stringify({ out: 'xabc"', nested: JSON.stringify({ t: 'abc"' }), list: ['abc"'] }, null, 2);
    const masked = redact(doc, [quoted]);
    expect(JSON.parse(masked)).toEqual({ out: 'x***', nested: '{"t":"***"}', list: ['***'] });
    expect(masked.startsWith('{\n  "out"')).toBe(true);
  });

  it('leaves text without a secret alone; short derived forms do not mask ordinary text', () => {
    const short = new Secret('ab', 'S');
    expect(redact('plain text', [secret])).toBe('plain text');
    expect(redact('about YWI= and ab', [short])).toBe('***out YWI= and ***');
  });
});
