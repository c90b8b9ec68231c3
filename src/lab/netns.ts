import { statSync } from 'node:fs';
import { runCommand } from '../infra/exec.js';
import { mustRun, isRoot } from './run.js';
import { labNamespaces, NETNS_BRIDGE, OWN_NAMESPACE, type LabNet } from './net.js';
import type { DataCenter } from './topology.js';

/** The lab's network namespaces (net.ts says which): made by `lab up --netns`, deleted by `lab down`. */

/** Why --netns cannot run here (not root, no `ip`), or undefined when it can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (!isRoot()) return 'needs root (it makes network namespaces)';
  const r = await runCommand(['ip', 'netns', 'list'], { timeoutMs: 10_000 });
  if (r.spawnError || r.exitCode !== 0)
    return `needs iproute2's ip with network namespaces (ip netns list: ${r.spawnError ?? r.stderr.trim()})`;
  return undefined;
}

/** Is this process inside the named namespace? (Its /proc/self/ns/net is the same inode as /run/netns/NAME.) */
export function insideNetns(name: string): boolean {
  try {
    const self = statSync('/proc/self/ns/net');
    const ns = statSync(`/run/netns/${name}`);
    return self.ino === ns.ino && self.dev === ns.dev;
  } catch {
    return false;
  }
}

export function netnsExists(name: string): boolean {
  try {
    statSync(`/run/netns/${name}`);
    return true;
  } catch {
    return false;
  }
}

const ip = (...args: string[]): Promise<string> => mustRun(['ip', ...args]);

/** The namespaces of net that processes still run in (another lab on the same base port), with a pid each. */
export async function busyNetns(net: LabNet): Promise<string[]> {
  const busy: string[] = [];
  for (const ns of labNamespaces(net)) {
    if (!netnsExists(ns)) continue;
    const r = await runCommand(['ip', 'netns', 'pids', ns], { timeoutMs: 10_000 });
    const pid = r.stdout.trim().split('\n')[0];
    if (pid) busy.push(`${ns} (pid ${pid})`);
  }
  return busy;
}

/**
 * Make the lab's namespaces from scratch (stale ones of a stopped lab on the same base port are deleted
 * first): the core one with a bridge, and one per cut-able data center with a veth to the bridge.
 */
export async function createLabNetns(net: LabNet): Promise<void> {
  const core = net.core;
  if (core === undefined) throw new Error('createLabNetns: not a netns lab');
  await deleteLabNetns(net);
  await ip('netns', 'add', core);
  await ip('-n', core, 'link', 'set', 'lo', 'up');
  await ip('-n', core, 'link', 'add', NETNS_BRIDGE.dev, 'type', 'bridge');
  await ip('-n', core, 'addr', 'add', `${NETNS_BRIDGE.host}/${NETNS_BRIDGE.prefix}`, 'dev', NETNS_BRIDGE.dev);
  await ip('-n', core, 'link', 'set', NETNS_BRIDGE.dev, 'up');
  for (const [dc, own] of Object.entries(OWN_NAMESPACE) as [DataCenter, { host: string; slug: string }][]) {
    const link = net.links?.[dc];
    if (link === undefined) continue;
    const peer = `drbr-${own.slug}`;
    await ip('netns', 'add', link.netns);
    await ip('-n', link.netns, 'link', 'set', 'lo', 'up');
    await ip('-n', link.netns, 'link', 'add', link.dev, 'type', 'veth', 'peer', 'name', peer, 'netns', core);
    await ip('-n', core, 'link', 'set', peer, 'master', NETNS_BRIDGE.dev);
    await ip('-n', core, 'link', 'set', peer, 'up');
    await ip('-n', link.netns, 'addr', 'add', `${own.host}/${NETNS_BRIDGE.prefix}`, 'dev', link.dev);
    await ip('-n', link.netns, 'link', 'set', link.dev, 'up');
  }
}

/** Delete the lab's namespaces (idempotent: absent ones are fine). Their veths go with them. */
export async function deleteLabNetns(net: LabNet | undefined): Promise<string[]> {
  const deleted: string[] = [];
  for (const ns of labNamespaces(net).reverse()) {
    if (!netnsExists(ns)) continue;
    await runCommand(['ip', 'netns', 'del', ns], { timeoutMs: 10_000 });
    deleted.push(ns);
  }
  return deleted;
}
