import { readdirSync, readFileSync } from 'node:fs';

/**
 * The live processes (zombies excluded: they run nothing) in process group `pgid` or session `pgid`,
 * read from /proc. An empty list proves nothing of a command is left that could still act later.
 */
export function liveInGroup(pgid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp session ..." (comm may hold spaces: split after the last ')')
    const [state, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && (Number(pgrp) === pgid || Number(session) === pgid)) found.push(Number(name));
  }
  return found;
}
