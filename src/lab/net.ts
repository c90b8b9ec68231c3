import type { DataCenter } from './topology.js';

/**
 * Where the lab's servers live on the network. The one place that says which address a data center's
 * servers have (hostOf) and which network namespace they run in (nsOf).
 *  - loopback (default): every server on 127.0.0.1 in the caller's namespace; a cut can only freeze.
 *  - netns (`drctl lab up --netns`, root): a core namespace with a bridge holds sh-a, sh-b and sz-a;
 *    hz-a and hz-b each have their own namespace joined to the bridge by a veth, so a cut can drop
 *    packets (fault.link sets their veth down). drctl and the lab's own probes run in the core namespace.
 */
export type LabNetMode = 'loopback' | 'netns';

export interface LabLink {
  readonly netns: string;
  readonly dev: string;
}

export interface LabNet {
  readonly mode: LabNetMode;
  /** netns: the core namespace (bridge; sh-a, sh-b, sz-a; where drctl runs). */
  readonly core?: string;
  /** netns: each data center's namespace. */
  readonly namespaces?: Readonly<Partial<Record<DataCenter, string>>>;
  /** netns: each cut-able data center's link to the rest (fault.link's links). */
  readonly links?: Readonly<Partial<Record<DataCenter, LabLink>>>;
  /** netns: each data center's address. */
  readonly hosts?: Readonly<Partial<Record<DataCenter, string>>>;
}

export const LOOPBACK: LabNet = { mode: 'loopback' };
export const LOOPBACK_HOST = '127.0.0.1';

/** The bridge's subnet inside a lab's own namespaces (private to them: two labs never see each other's). */
export const NETNS_BRIDGE = { dev: 'drbr0', host: '10.251.0.1', prefix: 24 } as const;
/** The data centers with a namespace (and a link) of their own; the others share the core one. */
export const OWN_NAMESPACE: Readonly<Partial<Record<DataCenter, { readonly host: string; readonly slug: string }>>> = {
  'hz-a': { host: '10.251.0.11', slug: 'hza' },
  'hz-b': { host: '10.251.0.12', slug: 'hzb' },
};
/** Inside a data center's namespace, its end of the veth (fault.link's dev); ≤ 15 characters. */
export const DC_LINK_DEV = 'drlink0';

/** The namespace name prefix of the lab on base port `base` (two labs never share one). */
export const netnsPrefix = (base: number): string => `drlab${base}`;

export function netnsNet(base: number): LabNet {
  const core = `${netnsPrefix(base)}-core`;
  const namespaces: Partial<Record<DataCenter, string>> = { 'sh-a': core, 'sh-b': core, 'sz-a': core };
  const hosts: Partial<Record<DataCenter, string>> = { 'sh-a': NETNS_BRIDGE.host, 'sh-b': NETNS_BRIDGE.host, 'sz-a': NETNS_BRIDGE.host };
  const links: Partial<Record<DataCenter, LabLink>> = {};
  for (const [dc, own] of Object.entries(OWN_NAMESPACE) as [DataCenter, { host: string; slug: string }][]) {
    const ns = `${netnsPrefix(base)}-${dc}`;
    namespaces[dc] = ns;
    hosts[dc] = own.host;
    links[dc] = { netns: ns, dev: DC_LINK_DEV };
  }
  return { mode: 'netns', core, namespaces, hosts, links };
}

/** The address of a data center's servers. */
export function hostOf(net: LabNet | undefined, dc: DataCenter): string {
  return net?.mode === 'netns' ? (net.hosts?.[dc] ?? LOOPBACK_HOST) : LOOPBACK_HOST;
}

/**
 * MariaDB and etcd stay on the core namespace's loopback in netns mode (not cut by fault.link: the city
 * cut runbook does not use them); every other server binds its data center's address.
 */
const CORE_LOOPBACK_KINDS: readonly string[] = ['mariadb', 'etcd'];

/** The address a server of this kind (a LabServerKind) in this data center binds. */
export function serverHost(net: LabNet | undefined, kind: string, dc: DataCenter): string {
  return CORE_LOOPBACK_KINDS.includes(kind) ? LOOPBACK_HOST : hostOf(net, dc);
}

/** The namespace a server of this kind in this data center runs in (undefined: the caller's). */
export function nsOf(net: LabNet | undefined, kind: string, dc: DataCenter): string | undefined {
  if (net?.mode !== 'netns') return undefined;
  return CORE_LOOPBACK_KINDS.includes(kind) ? net.core : (net.namespaces?.[dc] ?? net.core);
}

/** argv run inside the server's namespace (`ip netns exec NS …`), unchanged in loopback mode. */
export function inNs(ns: string | undefined, argv: readonly string[]): string[] {
  return ns === undefined ? [...argv] : ['ip', 'netns', 'exec', ns, ...argv];
}

/** Every namespace of the lab, core first. */
export function labNamespaces(net: LabNet | undefined): string[] {
  if (net?.mode !== 'netns' || net.core === undefined) return [];
  return [...new Set([net.core, ...Object.values(net.namespaces ?? {})])];
}
