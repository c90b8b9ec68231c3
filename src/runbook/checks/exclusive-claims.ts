import type { Diagnostic } from '../../util/diagnostic.js';
import { validateParams } from '../schema.js';
import { nameOf, stepPath, type CheckContext, type RawStep } from './context.js';

const PARAM_REF = /\$\{params\.([A-Za-z_][A-Za-z0-9_-]*)\}/g;

/**
 * Two steps that would change one thing no two steps may share (kinds say what through claims(): an
 * nginx include file) are refused: whichever ran second would overwrite the first, and each one's
 * rollback would put back a file the other had written. `${params.X}` counts as its default.
 */
export function checkExclusiveClaims(ctx: CheckContext): Diagnostic[] {
  const defaults = paramDefaults(ctx.data);
  const owners = new Map<string, RawStep>();
  const out: Diagnostic[] = [];
  for (const step of ctx.steps) {
    const kind = step.kind === undefined ? undefined : ctx.registry.get(step.kind);
    const params = step.with;
    if (!kind?.claims || params === null || typeof params !== 'object') continue;
    let claims;
    try {
      if (validateParams(kind.paramsSchema, params).length > 0) continue; // reported by the params check
      claims = kind.claims(params);
    } catch {
      continue;
    }
    for (const c of claims) {
      const key = c.key.replace(PARAM_REF, (ref, name: string) => defaults.get(name) ?? ref);
      const first = owners.get(key);
      if (!first) {
        owners.set(key, step);
        continue;
      }
      out.push({
        severity: 'error',
        code: 'shared-resource',
        message: `${nameOf(step)} changes ${c.what}, which ${nameOf(first)} changes too`,
        hint: 'one step per file: give that step all the servers (its rollback restores the whole file)',
        ...ctx.sourceMap.locate(stepPath(step, 'with', ...c.path)),
      });
    }
  }
  return out;
}

function paramDefaults(data: unknown): Map<string, string> {
  const params = (data as { spec?: { params?: Record<string, { default?: unknown } | null> } } | undefined)?.spec?.params ?? {};
  const out = new Map<string, string>();
  for (const [name, p] of Object.entries(params)) {
    const d = p?.default;
    if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean') out.set(name, String(d));
  }
  return out;
}
