import type { Runbook } from './types.js';
import { interpolate, loadParamsFile, parseSetFlag, resolveParams } from './interpolate.js';
import { DrctlError, ExitCode, usageError } from '../util/errors.js';
import { isFileProblem } from '../util/fs-problem.js';
import { redact, Secret } from '../util/secret.js';

export interface ScopeFlags {
  readonly set?: readonly string[] | undefined;
  readonly paramsFile?: string | undefined;
}

export interface ScopeOptions {
  /** Param values under --params-file and --set (rehearse: the fault's params, e.g. acceptDataLoss). */
  readonly baseParams?: Readonly<Record<string, unknown>>;
  /**
   * Param values as recorded by a run (resume, rollback): taken as they are (params the runbook no
   * longer declares are left out), never turned back into --set text.
   */
  readonly values?: Readonly<Record<string, unknown>>;
}

export interface RuntimeScope {
  readonly params: Readonly<Record<string, unknown>>;
  readonly interpolate: (value: unknown, outputsOf?: (stepId: string) => Readonly<Record<string, unknown>> | undefined) => unknown;
  readonly redactText: (text: string) => string;
}

/**
 * DRCTL_PARAM_<NAME>=VALUE (a YAML value, as --set's; `-` in a name may be written `_`): a declared
 * param from the environment, as Terraform's TF_VAR_<name>. Below --params-file and --set; a variable
 * naming no param of this runbook is ignored (one environment serves several runbooks).
 */
export function paramsFromEnv(runbook: Runbook, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(runbook.params)) {
    const name = [`DRCTL_PARAM_${key}`, `DRCTL_PARAM_${key.replace(/-/g, '_')}`].find((n) => env[n] !== undefined);
    if (name === undefined) continue;
    out[key] = parseSetFlag(`${key}=${env[name] ?? ''}`, `${name}=${env[name] ?? ''}`).value;
  }
  return out;
}

/**
 * Params (DRCTL_PARAM_<NAME>, --params-file, then --set; or the values a run recorded), env, secrets
 * (${secret.X} reads the environment variable X and is never printed). Every secret value seen is
 * redacted from events, logs and messages.
 */
export async function buildRuntimeScope(
  runbook: Runbook,
  flags: ScopeFlags,
  env: NodeJS.ProcessEnv = process.env,
  options: ScopeOptions = {},
): Promise<RuntimeScope> {
  // a recorded run (resume, rollback) acts with the values it recorded, not with today's environment
  const recorded = options.values ? Object.entries(options.values).filter(([k]) => k in runbook.params) : undefined;
  const overrides: Record<string, unknown> = {
    ...options.baseParams,
    ...(recorded ? {} : paramsFromEnv(runbook, env)),
    ...(flags.paramsFile ? await readParamsFile(flags.paramsFile, Object.keys(runbook.params)) : {}),
    ...Object.fromEntries(recorded ?? []),
  };
  for (const text of flags.set ?? []) {
    const parsed = parseSetFlag(text);
    if (!(parsed.key in runbook.params))
      throw usageError(
        `--set ${parsed.key}: the runbook declares no param "${parsed.key}"`,
        `declared params: ${Object.keys(runbook.params).join(', ') || '(none)'}`,
      );
    overrides[parsed.key] = parsed.value;
  }
  const resolved = resolveParams(runbook.params, overrides);
  if (!resolved.ok) throw new DrctlError('params-invalid', ExitCode.invalidInput, resolved.error.join('; '));
  const secrets = new Map<string, Secret>();
  const secretOf = (name: string): Secret | undefined => {
    const value = env[name];
    if (value === undefined) return undefined;
    let s = secrets.get(name);
    if (!s) {
      s = new Secret(value, name);
      secrets.set(name, s);
    }
    return s;
  };
  const redactText = (text: string): string => redact(text, [...secrets.values()]);
  const params = resolved.value;
  return {
    params,
    interpolate: (value, outputsOf) => interpolate(value, { params, env, secrets: secretOf, stepOutputs: outputsOf ?? (() => undefined) }),
    redactText,
  };
}

/** --params-file FILE: a file that cannot be read is the flag's problem (named with the flag). */
async function readParamsFile(file: string, declared: readonly string[]): Promise<Record<string, unknown>> {
  try {
    return await loadParamsFile(file, declared);
  } catch (e) {
    if (isFileProblem(e)) throw usageError(`--params-file ${file}: ${e.problem}`);
    throw e;
  }
}
