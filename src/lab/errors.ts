import { DrctlError, ExitCode } from '../util/errors.js';

/** Expected lab failures: one line, no stack, an exit code the CLI can use as is. */
export const labRefused = (message: string, hint?: string): DrctlError =>
  new DrctlError('lab-refused', ExitCode.refused, message, { hint });
export const labInvalid = (message: string): DrctlError => new DrctlError('lab-invalid', ExitCode.invalidInput, message);
export const labFailed = (message: string, hint?: string): DrctlError => new DrctlError('lab-failed', ExitCode.failed, message, { hint });
