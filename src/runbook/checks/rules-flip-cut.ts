import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../../util/diagnostic.js';
import { isDrctlError } from '../../util/errors.js';
import type { LoadedRunbook } from '../load.js';

interface RawStep {
  readonly kind?: unknown;
  readonly with?: { readonly topology?: unknown; readonly cut?: unknown };
}

const PARAM_REF = /^\$\{params\.([A-Za-z_][A-Za-z0-9_-]*)\}$/;

/**
 * The stranded-shard check (async: it reads the topology): for each rules.flip step whose topology and
 * cut are known before the run (literal, or a param's default), would the flip leave a shard without a
 * surviving owner, loop through partners, or overfill a zone? Problems point into the topology file.
 */
export async function checkRulesFlipCuts(loaded: Pick<LoadedRunbook, 'file' | 'data' | 'sourceMap'>): Promise<Diagnostic[]> {
  const spec = (loaded.data as { spec?: { steps?: unknown; params?: Record<string, { default?: unknown }> } }).spec;
  const steps = Array.isArray(spec?.steps) ? (spec.steps as RawStep[]) : [];
  const out: Diagnostic[] = [];
  for (const [i, step] of steps.entries()) {
    if (step.kind !== 'rules.flip' || typeof step.with?.topology !== 'string' || step.with.topology.includes('${')) continue;
    const cut = staticCut(step.with.cut, spec?.params ?? {});
    if (!cut) continue;
    const at = loaded.sourceMap.locate(['spec', 'steps', i, 'with', 'cut']);
    try {
      // the rules modules are loaded only for a runbook that flips rules
      const { checkStrandedShards } = await import('../../rules/stranded-shards.js');
      out.push(...(await checkStrandedShards(resolve(dirname(loaded.file), step.with.topology), cut, at)));
    } catch (e) {
      if (!isDrctlError(e)) throw e;
      out.push({
        severity: 'error',
        code: 'file-not-found',
        message: e.message,
        ...loaded.sourceMap.locate(['spec', 'steps', i, 'with', 'topology']),
      });
    }
  }
  return out;
}

function staticCut(cut: unknown, params: Record<string, { default?: unknown }>): string[] | undefined {
  const ref = typeof cut === 'string' ? PARAM_REF.exec(cut) : null;
  const value = ref ? params[ref[1] ?? '']?.default : cut;
  if (typeof value === 'string' && !value.includes('${'))
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && !v.includes('${'))) return value as string[];
  return undefined;
}
