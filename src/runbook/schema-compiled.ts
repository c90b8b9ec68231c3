import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv/dist/2020.js';

/**
 * JSON Schema validators compiled at build time. Compiling the runbook shape with ajv costs 150-300 ms
 * at every start (a third of `drctl validate`); `npm run build` writes them once, as ajv "standalone"
 * code, to dist/runbook/schema-validators.generated.js (bin/build-validators.js). Each is found by the
 * key of the schema it was made from, so a schema changed since the build (or a run through tsx, with
 * no generated file) is simply compiled at run time as before.
 */

/** The ajv options of every runbook validator (compiled at build time or at run time). */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: false,
  allowUnionTypes: true,
  logger: false,
  inlineRefs: false,
} as const;

/** The generated module, beside this one in dist/. */
export const GENERATED_MODULE = 'schema-validators.generated.js';

/** A schema's identity: a hash of its JSON (the generated module lists validators by it). */
export const schemaKey = (schema: unknown): string => createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 24);

/** Key of the JSON Schema 2020-12 meta-schema's validator (checks schemas compiled at run time: plug-in kinds). */
export const META_KEY = 'meta';

/** Export name of the validator of `key` in the generated module. */
export const exportNameOf = (key: string): string => `v${key}`;

/** The generated validators by schema key; empty when there is no generated module. */
export async function loadCompiledValidators(): Promise<ReadonlyMap<string, ValidateFunction>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(new URL(GENERATED_MODULE, import.meta.url).href)) as Record<string, unknown>;
  } catch {
    return new Map();
  }
  const out = new Map<string, ValidateFunction>();
  for (const [name, fn] of Object.entries(mod)) {
    if (name.startsWith('v') && typeof fn === 'function') out.set(name.slice(1), fn as ValidateFunction);
  }
  return out;
}
