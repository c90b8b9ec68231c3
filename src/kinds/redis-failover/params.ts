import type { Secret } from '../../util/secret.js';

export type Target = { readonly dc: string } | { readonly addr: string };

/** `to: sh-a` means a data center, `to: host:port` an address. */
export function targetOf(p: Pick<RedisFailoverParams, 'to'>): Target {
  if (typeof p.to !== 'string') return p.to;
  return /:\d+$/.test(p.to) ? { addr: p.to } : { dc: p.to };
}

export interface RedisFailoverParams {
  /** Sentinel addresses "host:port". Absent = direct mode (needs nodes). */
  readonly sentinels?: readonly string[];
  /** Sentinel group name (also a label in direct mode). */
  readonly master: string;
  /** The group's nodes with their data centers (for dc lookup, and the node list in direct mode). */
  readonly nodes?: readonly { readonly addr: string; readonly dc: string }[];
  /** Where mastership should go: a data center (the best replica there) or an address. */
  readonly to: string | Target;
  readonly password?: string | Secret;
  readonly sentinelPassword?: string | Secret;
  /** Connect/command timeout for each server (default 1s). */
  readonly nodeTimeout?: string;
  /** Where each sentinel lives (address → data center): assess counts the quorum left outside lost ones. */
  readonly dcs?: Readonly<Record<string, string>>;
}

export const redisFailoverSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['master', 'to'],
  properties: {
    sentinels: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description:
        'Sentinel addresses host:port. With sentinels, the switch is SENTINEL FAILOVER and waits until every sentinel reports the new master; without, it is direct (REPLICAOF NO ONE on the target, REPLICAOF on the others).',
    },
    master: { type: 'string', description: 'The Sentinel group name (sentinel monitor NAME ...).' },
    nodes: {
      type: 'array',
      description: "The group's nodes and their data centers: needed for to.dc and for direct mode.",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['addr', 'dc'],
        properties: {
          addr: { type: 'string', description: 'host:port' },
          dc: { type: 'string', description: 'Data center name, e.g. sh-a.' },
        },
      },
    },
    to: {
      description:
        'Target: {dc: sh-a} (the best replica in that data center) or {addr: host:port}; a plain string is a dc, or an address when it ends in :port.',
      oneOf: [
        { type: 'string' },
        { type: 'object', additionalProperties: false, required: ['dc'], properties: { dc: { type: 'string' } } },
        { type: 'object', additionalProperties: false, required: ['addr'], properties: { addr: { type: 'string' } } },
      ],
    },
    password: { type: 'string', description: 'Password of the Redis nodes (use ${secret.NAME}).' },
    sentinelPassword: { type: 'string', description: 'Password of the sentinels (use ${secret.NAME}).' },
    nodeTimeout: { type: 'string', description: 'Connect and command timeout for each server (default 1s).' },
    dcs: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Where each sentinel lives: address → data center (drctl assess counts the sentinels left to elect a new master).',
    },
  },
} as const;

export type Role = 'master' | 'replica' | 'unreachable' | 'other';

export interface NodeView {
  readonly addr: string;
  readonly dc: string | null;
  readonly role: Role;
  /** Replica: the master it follows and its link state (connected = up). */
  readonly masterAddr?: string;
  readonly link?: string;
  readonly offset?: number;
  /** Why unreachable / other. */
  readonly detail?: string;
}

export interface RedisFailoverState {
  readonly group: string;
  readonly mode: 'sentinel' | 'direct';
  /** The master the sentinels agree on (majority), or the single node with ROLE master (direct). */
  readonly master: string | null;
  readonly masterDc: string | null;
  /** Sentinel address → the master it reports, or "unreachable: ..." / "unknown group". */
  readonly sentinels: Readonly<Record<string, string>>;
  readonly nodes: readonly NodeView[];
  /** Sentinel mode: the group's quorum (SENTINEL MASTER), as the answering sentinels report it (the largest). */
  readonly quorum?: number;
}
