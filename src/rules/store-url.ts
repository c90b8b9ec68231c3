/**
 * Static check of a rules store URL (no IO), for kind.check, CLI option parsing and openRuleStore:
 * a message saying what is wrong, or undefined when it is usable (or still holds a ${…} reference).
 */
export function storeUrlProblem(url: string): string | undefined {
  if (url.includes('${')) return undefined;
  if (url.startsWith('redis://')) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `bad Redis URL "${url}": use redis://HOST:PORT[/PREFIX]`;
    }
    if (u.hostname === '') return `bad Redis URL "${url}": no host (use redis://HOST:PORT[/PREFIX])`;
    return undefined;
  }
  if (url.startsWith('file:') && url.length > 'file:'.length) return undefined;
  return `unsupported rules store "${url}": use redis://HOST:PORT[/PREFIX] or file:PATH.json`;
}
