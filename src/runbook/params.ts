import { yamlLib } from '../yaml/lib.js';
import { hasErrors, type Diagnostic } from '../util/diagnostic.js';
import { DrctlError, ExitCode, usageError } from '../util/errors.js';
import { err, ok, type Result } from '../util/result.js';
import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import { loadYamlFile } from '../yaml/file.js';
import type { ParamSpec } from './types.js';

/**
 * Final param values: overrides (--set, params file) over defaults. Errors: unknown overrides and
 * required params left without a value. Optional params without a default are left out.
 */
export function resolveParams(
  specs: Readonly<Record<string, ParamSpec>>,
  overrides: Readonly<Record<string, unknown>>,
): Result<Record<string, unknown>, string[]> {
  const errors: string[] = [];
  const names = Object.keys(specs);
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(specs, key)) {
      const known = names.length > 0 ? `declared params: ${names.join(', ')}` : 'the runbook declares no params';
      errors.push(`unknown param "${key}"${suggestionSuffix(didYouMean(key, names))}; ${known}`);
    }
  }
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const value = Object.hasOwn(overrides, name) ? overrides[name] : spec.default;
    if (value !== undefined) values[name] = value;
    else if (spec.required) missing.push(name);
  }
  if (missing.length > 0) {
    const flags = missing.map((m) => `--set ${m}=VALUE`).join(' ');
    errors.push(`missing required param${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}: pass ${flags}`);
  }
  return errors.length > 0 ? err(errors) : ok(values);
}

/**
 * `--set key=value`: the value is read as a YAML scalar or flow collection (`cut=[hz-a,hz-b]` → array).
 * A bad one is a usage error (exit 3) told once, as `named` (default `--set TEXT`; DRCTL_PARAM_X=V for the
 * environment's): callers pass it on as it is.
 */
export function parseSetFlag(text: string, named = `--set ${text}`): { key: string; value: unknown } {
  const eq = text.indexOf('=');
  if (eq === -1) throw usageError(`${named}: expected key=value (e.g. --set cut=[hz-a,hz-b])`);
  const key = text.slice(0, eq).trim();
  if (key === '') throw usageError(`${named}: the key before "=" is empty`);
  const raw = text.slice(eq + 1);
  if (raw.trim() === '') return { key, value: '' };
  try {
    return { key, value: yamlLib().parse(raw) as unknown };
  } catch (e) {
    const first = ((e as Error).message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new DrctlError('usage', ExitCode.invalidInput, `${named}: cannot read value "${raw}": ${first}; quote it to pass text`, {
      cause: e,
    });
  }
}

/**
 * A YAML map of param values (`--params-file file.yaml`). Bad YAML, a non-map or (given the declared
 * params) an unknown name → DrctlError with diagnostics at their file:line:column.
 */
export async function loadParamsFile(file: string, declared?: readonly string[]): Promise<Record<string, unknown>> {
  const loaded = await loadYamlFile(file, 'params file');
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const data = loaded.data;
  const isMap = data !== null && typeof data === 'object' && !Array.isArray(data);
  if (!hasErrors(diagnostics) && !isMap && data !== undefined) {
    diagnostics.push({
      severity: 'error',
      code: 'wrong-type',
      message: 'a params file must be a map of name: value',
      ...loaded.sourceMap.locate([]),
    });
  }
  if (!hasErrors(diagnostics) && isMap && declared) {
    for (const key of Object.keys(data as object).filter((k) => !declared.includes(k))) {
      diagnostics.push({
        severity: 'error',
        code: 'unknown-param',
        message: `unknown param "${key}"${suggestionSuffix(didYouMean(key, declared))}`,
        hint: declared.length > 0 ? `declared params: ${declared.join(', ')}` : 'the runbook declares no params',
        ...loaded.sourceMap.locateKey([key]),
      });
    }
  }
  if (hasErrors(diagnostics)) {
    throw new DrctlError('params-invalid', ExitCode.invalidInput, `${file} is not a valid params file`, { diagnostics });
  }
  return isMap ? { ...(data as Record<string, unknown>) } : {};
}
