import type { Diagnostic } from '../../util/diagnostic.js';
import { validateParams } from '../schema.js';
import { translateSchemaErrors } from '../schema-errors.js';
import type { AnyKind } from '../../model/kind.js';
import { nameOf, stepPath, type CheckContext } from './context.js';

/** Each step's `with:` against its kind's params schema, then the kind's own check(), positioned inside `with:`. */
export function checkKindParams(ctx: CheckContext): Diagnostic[] {
  return ctx.steps.flatMap((step) => {
    const kind = step.kind === undefined ? undefined : ctx.registry.get(step.kind);
    return kind ? checkParamsOf(ctx, kind, step.with, stepPath(step), nameOf(step)) : [];
  });
}

/**
 * One kind's params (at `owner` + 'with', e.g. a step or spec.fault) against its schema, then its own
 * check(); diagnostics point inside `with:`.
 */
export function checkParamsOf(
  ctx: CheckContext,
  kind: AnyKind,
  rawParams: unknown,
  owner: readonly (string | number)[],
  label: string,
): Diagnostic[] {
  const params = rawParams ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return []; // reported by the shape check
  const basePath = [...owner, 'with'];
  let errors;
  try {
    errors = validateParams(kind.paramsSchema, params);
  } catch (e) {
    return [
      {
        severity: 'error',
        code: 'bad-plugin',
        message: `kind "${kind.name}" has an invalid params schema: ${(e as Error).message}`,
        ...ctx.sourceMap.locate([...owner, 'kind']),
      },
    ];
  }
  if (errors.length > 0) return translateSchemaErrors(errors, { sourceMap: ctx.sourceMap, root: ctx.data, basePath, allowTemplates: true });
  return runKindCheck(ctx, basePath, label, kind.check?.bind(kind), params);
}

function runKindCheck(
  ctx: CheckContext,
  basePath: readonly (string | number)[],
  label: string,
  check: ((params: unknown) => readonly { readonly path: readonly (string | number)[]; readonly message: string }[]) | undefined,
  params: unknown,
): Diagnostic[] {
  if (!check) return [];
  try {
    return check(params).map((p) => ({
      severity: 'error' as const,
      code: 'bad-param',
      message: `${label}: ${p.message}`,
      ...ctx.sourceMap.locate([...basePath, ...p.path]),
    }));
  } catch (e) {
    return [
      {
        severity: 'error',
        code: 'bad-param',
        message: `${label}: checking params failed: ${(e as Error).message}`,
        ...ctx.sourceMap.locate(basePath),
      },
    ];
  }
}
