import { isSecret } from '../util/secret.js';

/** argv elements as strings; secrets revealed only here, right before the process is started. */
export function toArgv(values: readonly unknown[]): string[] {
  return values.map((v) => (isSecret(v) ? v.reveal() : typeof v === 'string' ? v : JSON.stringify(v)));
}
