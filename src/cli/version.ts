import { readFileSync } from 'node:fs';

/** drctl's version, from package.json (read once, lazily). */
let cached: string | undefined;
export function drctlVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
