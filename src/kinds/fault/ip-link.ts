import type { KindContext } from '../../model/kind.js';
import { stepError } from '../../model/kind.js';
import { ipFailure, linkName, parseLinkLine, type LinkRef } from './ip-link-output.js';

/** One `ip` call never takes this long unless the machine is stuck; the step's own timeout still applies. */
const IP_TIMEOUT_MS = 10_000;

/** Is the link administratively up? `ip -n NS -o link show dev DEV`, read-only. */
export async function linkIsUp(ctx: KindContext, link: LinkRef): Promise<boolean> {
  const r = await ctx.exec(['ip', '-n', link.netns, '-o', 'link', 'show', 'dev', link.dev], { timeoutMs: IP_TIMEOUT_MS });
  if (r.exitCode !== 0) throw ipFailure(link, 'read the link', r);
  const parsed = parseLinkLine(r.stdout.split('\n')[0] ?? '');
  if (!parsed)
    throw stepError(`fault.link ${linkName(link)}: cannot read the output of ip link show: ${JSON.stringify(r.stdout.slice(0, 200))}`, {
      retryable: false,
    });
  return parsed.up;
}

/** `ip -n NS link set dev DEV up|down`. */
export async function setLink(ctx: KindContext, link: LinkRef, state: 'up' | 'down'): Promise<void> {
  const r = await ctx.exec(['ip', '-n', link.netns, 'link', 'set', 'dev', link.dev, state], { timeoutMs: IP_TIMEOUT_MS });
  if (r.exitCode !== 0) throw ipFailure(link, `set the link ${state}`, r);
}

/** Run `f` on every link at once (a cut is simultaneous); wait for all, then throw the first failure. */
export async function eachLink<T>(links: readonly LinkRef[], f: (l: LinkRef) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(links.map(f));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
