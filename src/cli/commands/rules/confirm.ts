import { confirmationRequired } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';

export interface Confirm {
  readonly yes?: boolean;
}

/** --yes, or a yes on a terminal; without a terminal and without --yes: ConfirmationRequiredError (exit 4). */
export async function confirmed(io: CliIO, flags: Confirm, what: string): Promise<boolean> {
  if (flags.yes) return true;
  if (!io.interactive) throw confirmationRequired(what);
  return io.confirm(`${what}?`);
}
