import { tail, type CommandResult } from '../../infra/exec.js';
import { stepError, type StepError } from '../../model/kind.js';

/** One network link inside a network namespace, as fault.link names it. */
export interface LinkRef {
  readonly netns: string;
  readonly dev: string;
}

/** `hz-a:veth-hz`: how messages and outputs name a link. */
export const linkName = (l: LinkRef): string => `${l.netns}:${l.dev}`;

/**
 * Parse one line of `ip -o link show dev X`: whether the link is administratively up (the UP flag in
 * `<...>`, what `ip link set up|down` changes) and its operational state (`state DOWN` also when the
 * peer of a veth is down). Undefined when the line is not a link line.
 */
export function parseLinkLine(line: string): { readonly up: boolean; readonly operState: string } | undefined {
  const flags = /^\d+:\s+\S+:\s+<([^>]*)>/.exec(line.trim());
  if (!flags) return undefined;
  const operState = /\sstate\s+(\S+)/.exec(line)?.[1] ?? 'UNKNOWN';
  return { up: (flags[1] ?? '').split(',').includes('UP'), operState };
}

/**
 * The step error for a failed `ip` command. The user's mistakes (no such namespace or device, not
 * root, no `ip`) are not retryable and name the namespace/device; anything else may be transient.
 */
export function ipFailure(link: LinkRef, what: string, r: CommandResult): StepError {
  const at = `fault.link ${linkName(link)}`;
  const ns = JSON.stringify(link.netns);
  if (r.spawnError) return stepError(`${at}: ${r.spawnError} (install iproute2)`, { retryable: false });
  if (r.cancelled) return stepError(`${at}: ${what} cancelled`);
  if (r.timedOut) return stepError(`${at}: ${what} timed out`);
  const out = `${r.stderr}\n${r.stdout}`;
  if (/Cannot open network namespace[^\n]*No such file/i.test(out)) {
    return stepError(`${at}: network namespace ${ns} does not exist (see ip netns list)`, { retryable: false });
  }
  if (/Operation not permitted|Permission denied/i.test(out)) {
    return stepError(`${at}: not permitted to ${what} in network namespace ${ns}: needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)`, {
      retryable: false,
    });
  }
  if (/Cannot find device|does not exist|not a valid ifname/i.test(out)) {
    return stepError(`${at}: device ${JSON.stringify(link.dev)} does not exist in network namespace ${ns} (see ip -n ${link.netns} link)`, {
      retryable: false,
    });
  }
  return stepError(`${at}: ${what} failed (exit ${r.exitCode ?? '?'}): ${tail(out.trim(), 2) || 'no output'}`);
}
