import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

/**
 * The `yaml` package, loaded on first use (20-30 ms at start): plain runbooks are read without it
 * (yaml/fast.ts); it parses the rest, builds source positions for diagnostics, and reads --set values.
 */
export const yamlLib = (): YamlLib => (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
