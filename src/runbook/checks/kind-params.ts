import type { Diagnostic } from '../../util/diagnostic.js';
import { validateParams } from '../schema.js';
import { translateSchemaErrors } from '../schema-errors.js';
import { nameOf, stepPath, type CheckContext } from './context.js';

/** Each step's `with:` against its kind's params schema, then the kind's own check(), positioned inside `with:`. */
export function checkKindParams(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const step of ctx.steps) {
    const kind = step.kind === undefined ? undefined : ctx.registry.get(step.kind);
    if (!kind) continue;
    const params = step.with ?? {};
    if (params === null || typeof params !== 'object' || Array.isArray(params)) continue; // reported by the shape check
    const basePath = stepPath(step, 'with');
    let errors;
    try {
      errors = validateParams(kind.paramsSchema, params);
    } catch (e) {
      out.push({
        severity: 'error', code: 'bad-plugin',
        message: `kind "${kind.name}" has an invalid params schema: ${(e as Error).message}`,
        ...ctx.sourceMap.locate(stepPath(step, 'kind')),
      });
      continue;
    }
    if (errors.length > 0) {
      out.push(...translateSchemaErrors(errors, { sourceMap: ctx.sourceMap, root: ctx.data, basePath, allowTemplates: true }));
      continue;
    }
    out.push(...runKindCheck(ctx, step.index, nameOf(step), kind.check?.bind(kind), params));
  }
  return out;
}

function runKindCheck(
  ctx: CheckContext,
  index: number,
  label: string,
  check: ((params: unknown) => readonly { readonly path: readonly (string | number)[]; readonly message: string }[]) | undefined,
  params: unknown,
): Diagnostic[] {
  if (!check) return [];
  const basePath = ['spec', 'steps', index, 'with'];
  try {
    return check(params).map((p) => ({
      severity: 'error' as const, code: 'bad-param',
      message: `${label}: ${p.message}`,
      ...ctx.sourceMap.locate([...basePath, ...p.path]),
    }));
  } catch (e) {
    return [{ severity: 'error', code: 'bad-param', message: `${label}: checking params failed: ${(e as Error).message}`, ...ctx.sourceMap.locate(basePath) }];
  }
}
