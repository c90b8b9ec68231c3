import { randomUUID } from 'node:crypto';
import { ownerLiveness as infraOwnerLiveness, thisProcess, type OwnerLiveness } from '../infra/owner.js';
import type { FenceOwner } from './fence.js';

/** How long a fence stays owned without a renewal; the owner renews every third of it while it runs. */
export const DEFAULT_FENCE_LEASE_MS = 15_000;

/** What this process is, and how it tells whether another process on this machine still runs. */
export interface HostProbe {
  readonly host: string;
  readonly pid: number;
  /** Where its pids mean something (machine, boot, PID namespace: infra/process-identity.ts); null if unknown. */
  readonly machineId: string | null;
  /** The start time of `pid` as the OS records it, or null where unknown; undefined when no such process. */
  processStart(pid: number): string | null | undefined;
}

export const localHost: HostProbe = { ...thisProcess, machineId: thisProcess.hostId };

/** Owner ids of the staged moves running in this process (a fence of this pid with another id is a finished run). */
const runningHere = new Set<string>();

/** Mark this process's run as running until the returned function is called. */
export function holdOwnership(owner: FenceOwner): () => void {
  runningHere.add(owner.id);
  return () => void runningHere.delete(owner.id);
}

/** A new owner for one run of an operation, its lease ending leaseMs after nowMs. */
export function createFenceOwner(nowMs: number, leaseMs: number, probe: HostProbe = localHost): FenceOwner {
  return {
    id: randomUUID(),
    host: probe.host,
    pid: probe.pid,
    machineId: probe.machineId,
    processStart: probe.processStart(probe.pid) ?? null,
    startedAtIso: new Date(nowMs).toISOString(),
    leaseUntilIso: new Date(nowMs + leaseMs).toISOString(),
  };
}

export type { OwnerLiveness };

/**
 * Is the owner of a fence still running? dead: on this machine and its process is gone (or the pid now
 * belongs to a process started later); expired: its lease ran out without a renewal (any machine);
 * otherwise live. An owner that is this very process but no longer one of its running moves (a step
 * retried by the engine) is dead too. A fence without an owner (written by an older drctl) counts from its atIso.
 */
export function ownerLiveness(owner: FenceOwner | null, fencedAtIso: string, nowMs: number, probe: HostProbe = localHost): OwnerLiveness {
  if (!owner) {
    const until = Date.parse(fencedAtIso) + DEFAULT_FENCE_LEASE_MS;
    return Number.isFinite(until) && until > nowMs
      ? { state: 'live', why: 'the fence has no owner record and is younger than the default lease' }
      : { state: 'expired', why: 'the fence has no owner record and is older than the default lease' };
  }
  if (owner.pid === probe.pid && probe === localHost && sameMachine(owner, probe) && !runningHere.has(owner.id)) {
    return { state: 'dead', why: `its run in this process (pid ${owner.pid}) has ended` };
  }
  const asProcess = { host: owner.host, pid: owner.pid, hostId: owner.machineId, processStart: owner.processStart };
  return infraOwnerLiveness(asProcess, owner.leaseUntilIso, nowMs, {
    ...probe,
    hostId: probe.machineId,
    processStart: (pid) => probe.processStart(pid),
  });
}

/** "pid 4242 on host db-ops-1 (run 1b2c…, started 2026-…)" */
export function describeOwner(owner: FenceOwner | null): string {
  if (!owner) return 'an unknown owner (written by an older drctl)';
  return `pid ${owner.pid} on host ${owner.host} (run ${owner.id.slice(0, 8)}, started ${owner.startedAtIso}, lease until ${owner.leaseUntilIso})`;
}

/** Never a guess: without a known identity on both sides (no /proc), only the lease decides (as for state locks). */
function sameMachine(owner: FenceOwner, probe: HostProbe): boolean {
  return owner.machineId !== null && probe.machineId !== null && owner.machineId === probe.machineId && owner.host === probe.host;
}
