import os from 'node:os';
import { hostIdentity, processStart } from './process-identity.js';

/**
 * The one ownership model: a state lock's holder, a routing-rules fence's owner and a file mutex's owner
 * are each a process on a host holding something until a lease ends. Another process may take it over
 * only when the owner is provably gone (same host, its process dead or its pid reused) or its lease ran
 * out; a process elsewhere, or on a host whose identity is unknown, is only ever judged by its lease.
 */
export interface ProcessOwner {
  readonly host: string;
  readonly pid: number;
  /** Machine, boot and PID namespace (process-identity.ts hostIdentity); null/undefined: unknown. */
  readonly hostId: string | null | undefined;
  /** The owner's start time as the OS recorded it, when known: a pid reused later is not the owner. */
  readonly processStart?: string | null | undefined;
}

/** What this process is, and how it reads another process's start time (tests give their own). */
export interface ProcessProbe {
  readonly host: string;
  readonly pid: number;
  readonly hostId: string | null;
  /** The start time of `pid`, null where unknown, undefined when there is no such process. */
  processStart(pid: number): string | null | undefined;
}

export const thisProcess: ProcessProbe = { host: os.hostname(), pid: process.pid, hostId: hostIdentity() ?? null, processStart };

export type OwnerState = 'live' | 'dead' | 'expired';
export interface OwnerLiveness {
  readonly state: OwnerState;
  readonly why: string;
}

/**
 * Why the owner is provably gone, or undefined when that cannot be told (never a guess): it is on this
 * very host (same name and identity), is not this process, and its pid is gone or now belongs to a
 * process started later.
 */
export function ownerGone(owner: ProcessOwner, probe: ProcessProbe = thisProcess): string | undefined {
  if (!owner.hostId || !probe.hostId || owner.hostId !== probe.hostId || owner.host !== probe.host || owner.pid === probe.pid)
    return undefined;
  const start = probe.processStart(owner.pid);
  if (start === undefined) return `process ${owner.pid} on ${owner.host} is gone`;
  if (start !== null && owner.processStart && start !== owner.processStart)
    return `process ${owner.pid} on ${owner.host} is gone (the pid now belongs to a later process)`;
  return undefined;
}

/** dead (ownerGone), expired (the lease, ISO time, ended at or before nowMs, or is unreadable), else live. */
export function ownerLiveness(owner: ProcessOwner, leaseUntilIso: string, nowMs: number, probe: ProcessProbe = thisProcess): OwnerLiveness {
  const gone = ownerGone(owner, probe);
  if (gone) return { state: 'dead', why: gone };
  const until = Date.parse(leaseUntilIso);
  if (!Number.isFinite(until) || until <= nowMs) return { state: 'expired', why: `its lease ended at ${leaseUntilIso}` };
  return { state: 'live', why: `lease until ${leaseUntilIso}` };
}
