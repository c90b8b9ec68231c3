import { InvalidArgumentError } from 'commander';

/**
 * The one parser of a positive whole number in an option or argument (commander calls it; a bad value
 * is a usage error, exit 3): `what` names it in the message ("--limit", "a version"). `at` accepts a
 * leading @ (version references: @3).
 */
export const positiveInt = (what: string, o: { readonly at?: boolean } = {}) => (value: string): number => {
  const n = Number(o.at ? value.replace(/^@/, '') : value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got "${value}"`);
  return n;
};
