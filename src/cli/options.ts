import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { isEtcdUrl } from '../infra/etcd-url.js';
import { ETCD_MIN_LEASE_MS } from '../state/store-url.js';
import { formatDuration, MAX_TIMER_MS, parseDuration } from '../util/duration.js';
import { usageError } from '../util/errors.js';

/**
 * The one parser of a positive whole number in an option or argument (commander calls it; a bad value
 * is a usage error, exit 3): `what` names it in the message ("--limit", "a version"). `at` accepts a
 * leading @ (version references: @3).
 */
export const positiveInt =
  (what: string, o: { readonly at?: boolean } = {}) =>
  (value: string): number => {
    const n = Number(o.at ? value.replace(/^@/, '') : value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${what} must be a positive integer, got "${value}"`);
    return n;
  };

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Options shared by commands that resolve a runbook's params. */
export function withParamOptions(cmd: Command): Command {
  return cmd
    .option('--set <key=value>', 'set a runbook param (repeatable; YAML values: --set cut=[hz-a,hz-b]; also DRCTL_PARAM_<NAME>)', collect)
    .option('--params-file <file>', 'YAML file of param values')
    .option('--plugin <module>', 'load step kinds from a plugin module (repeatable)', collect);
}

/** Options shared by run and drill. */
export function withRunOptions(cmd: Command): Command {
  return withParamOptions(cmd)
    .option('-y, --yes', 'confirm without asking (required without a terminal; also DRCTL_YES=1)')
    .option('--dry-run', 'plan only: observe everything read-only, change nothing (exit 0 none, 2 pending)')
    .option('--approve <step>', 'pre-approve a gate step (repeatable); unattended gates fail closed without it', collect)
    .option('--concurrency <n>', 'steps to run at once (overrides the runbook)', positiveInt('--concurrency'))
    .addOption(
      new Option('--on-failure <mode>', 'on a failed step: stop starting new ones, or roll back applied ones').choices([
        'stop',
        'rollback',
      ]),
    )
    .option('--plan <file>', 'apply a plan saved by `plan -o`: refused (exit 4) if the runbook or the observed live state changed since')
    .option('--lease <duration>', 'lock lease, renewed while the run lives (default 15s; also DRCTL_LEASE)')
    .option(
      '--lost <names>',
      "data centers known lost, comma-separated, or a city of spec.topology (e.g. hz-a,hz-b or hz): steps do not wait on members there (commands see DRCTL_LOST); a rehearsal's come from spec.fault.lost",
    );
}

const YES = new Set(['1', 'true', 'yes']);
const NO = new Set(['', '0', 'false', 'no']);

/**
 * DRCTL_YES=1 (or true/yes) is --yes for every command that has it; 0/false/no/empty is not. Any other
 * value is refused (exit 3): a typo must not confirm a switch. An explicit --yes needs no variable.
 * Commander's own .env() would take any value of a boolean flag's variable, DRCTL_YES=0 included.
 */
export function applyYesFromEnv(command: Command, env: NodeJS.ProcessEnv = process.env): void {
  const value = env['DRCTL_YES'];
  if (value === undefined || !command.options.some((o) => o.attributeName() === 'yes')) return;
  if (command.getOptionValue('yes') === true) return;
  const v = value.trim().toLowerCase();
  if (YES.has(v)) command.setOptionValueWithSource('yes', true, 'env');
  else if (!NO.has(v)) throw usageError(`DRCTL_YES=${value}: use 1 (confirm without asking) or 0`);
}

/** --lease DURATION (also DRCTL_LEASE): how long a run's lock lives without renewal (default 15s); `state`: the --state it is for. */
export function leaseOf(flag: string | undefined, state: string): number | undefined {
  const text = flag ?? process.env.DRCTL_LEASE;
  if (text === undefined) return undefined;
  // named as the user gave it: the flag, or the variable (DRCTL_LEASE=2s), as DRCTL_YES and DRCTL_STATE are
  const named = flag !== undefined ? `--lease ${text}` : `DRCTL_LEASE=${text}`;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 300 || ms > MAX_TIMER_MS)
    throw usageError(`${named}: a duration from 300ms to ${formatDuration(MAX_TIMER_MS)} (e.g. 15s)`);
  if (ms < ETCD_MIN_LEASE_MS && isEtcdUrl(state)) {
    throw usageError(
      `${named}: an etcd state store needs a lease of at least ${ETCD_MIN_LEASE_MS / 1000}s`,
      'a shorter lease cannot be kept alive across an etcd leader election on a busy machine (the run would stop as "state store unreachable")',
    );
  }
  return ms;
}

/** A percentage 0-100 (decimals allowed) in an option: a bad value is a usage error (exit 3). */
export const percent =
  (what: string) =>
  (value: string): number => {
    const n = Number(value.replace(/%$/, ''));
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
      throw new InvalidArgumentError(`${what} must be a percentage from 0 to 100, got "${value}"`);
    return n;
  };
