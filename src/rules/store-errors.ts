import { DrctlError, ExitCode } from '../util/errors.js';
import { RULES_STORE_FORMS } from './store-url.js';

/**
 * The store holds something that is not drctl rules (bad JSON, `{}`, a version of the wrong shape),
 * or names something that cannot hold them (a folder): one line naming the store, exit 3.
 */
export const storeInvalid = (label: string, why: string): DrctlError =>
  new DrctlError('rules-store-invalid', ExitCode.invalidInput, `${label} is not a drctl rules store: ${why}`, {
    hint: `point --store at a file written by \`drctl rules init\` or a Redis or etcd prefix holding rules: ${RULES_STORE_FORMS}`,
  });

/** The store could not be read or written (permissions, an unreachable or failing server): exit 1. */
export const storeUnavailable = (label: string, e: unknown): DrctlError =>
  new DrctlError('rules-store-unavailable', ExitCode.failed, `${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });

/** Map a file-system error on the store's own file to a one-line DrctlError. */
export function fileStoreError(label: string, e: unknown): DrctlError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return storeInvalid(label, 'it is a directory, not a file');
  if (code === 'ENOTDIR') return storeInvalid(label, 'a part of the path is not a directory');
  return storeUnavailable(label, e);
}
