import { defineKind } from '../define-kind.js';
import { HOLDS, notYet } from '../../model/kind.js';
import { eachLink, linkIsUp, setLink } from './ip-link.js';
import { linkName, type LinkRef } from './ip-link-output.js';

export interface LinkParams {
  /** The links to cut, each inside its network namespace. */
  readonly links: readonly LinkRef[];
  /** The data centers the links join to the rest: a rehearsal's switch does not wait on them (ctx.lost). */
  readonly dcs?: readonly string[];
}

/** Each link with its administrative state (the UP flag), in params order. */
export interface LinkCutState {
  readonly links: readonly (LinkRef & { readonly up: boolean })[];
}

const names = (links: readonly LinkRef[]): string[] => links.map(linkName);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A real network cut: set links down inside Linux network namespaces (e.g. the veth that joins a data
 * center's namespace to the rest), so its servers' clients get no answer. Rollback sets up exactly the
 * links that were up before. Needs root and iproute2; runs `ip` with argv, never a shell.
 */
export const faultLinkKind = defineKind<LinkParams, LinkCutState>({
  name: 'fault.link',
  description:
    "Cut a data center's network for real: set links down inside Linux network namespaces (ip -n NS link set dev DEV down; needs root); rollback sets up the links that were up. " +
    'Example: fault: { kind: fault.link, with: { links: [{ netns: dc-hz-a, dev: veth-hz-a }, { netns: dc-hz-b, dev: veth-hz-b }] } }',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['links'],
    properties: {
      links: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        description: 'Links to set down, e.g. [{ netns: dc-hz-a, dev: veth-hz-a }].',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['netns', 'dev'],
          properties: {
            netns: { type: 'string', minLength: 1, description: 'Network namespace holding the link (ip netns list).' },
            dev: { type: 'string', minLength: 1, description: 'Interface name inside that namespace, e.g. veth-hz-a.' },
          },
        },
      },
      dcs: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string' },
        description: "The data centers these links cut off, e.g. [hz-a]: a rehearsal's switch does not wait on members there.",
      },
    },
  },
  outputNames: ['up', 'down'],
  async observe(p, ctx) {
    const ups = await eachLink(p.links, (l) => linkIsUp(ctx, l));
    return { links: p.links.map((l, i) => ({ netns: l.netns, dev: l.dev, up: ups[i] === true })) };
  },
  decide(_p, current) {
    if (current.links.every((l) => !l.up)) return { action: 'noop', reason: `already cut (${plural(current.links.length, 'link')} down)` };
    return { action: 'change', desired: { links: current.links.map((l) => ({ ...l, up: false })) } };
  },
  async apply(p, _change, ctx) {
    await eachLink(p.links, (l) => setLink(ctx, l, 'down'));
    ctx.progress(`set down ${names(p.links).join(', ')}`);
  },
  async rollback(_p, change, ctx) {
    const upNow = new Set(names(change.current.links.filter((l) => l.up)));
    const wanted = change.desired.links.filter((l) => l.up && !upNow.has(linkName(l)));
    await eachLink(wanted, (l) => setLink(ctx, l, 'up'));
    if (wanted.length > 0) ctx.progress(`set up ${names(wanted).join(', ')}`);
  },
  holds(_p, desired, current) {
    const upNow = new Set(names(current.links.filter((l) => l.up)));
    const stillUp = desired.links.filter((l) => !l.up && upNow.has(linkName(l)));
    if (stillUp.length > 0) return notYet(`still up: ${names(stillUp).join(', ')}`);
    const stillDown = desired.links.filter((l) => l.up && !upNow.has(linkName(l)));
    if (stillDown.length > 0) return notYet(`still down: ${names(stillDown).join(', ')}`);
    return HOLDS;
  },
  describe(p, before, after) {
    // the way back (restore, rollback): the links that were up before come up again
    const upNow = new Set(names(before.links.filter((l) => l.up)));
    const raising = after === undefined ? [] : after.links.filter((l) => l.up && !upNow.has(linkName(l)));
    if (raising.length > 0) return `restore ${raising.length === 1 ? 'link' : 'links'} ${names(raising).join(', ')} (set up)`;
    const down = before.links.filter((l) => !l.up).length;
    return `cut ${p.links.length === 1 ? 'link' : 'links'} ${names(p.links).join(', ')} (${plural(p.links.length, 'link')}${down > 0 ? `, ${down} already down` : ''})`;
  },
  outputs(_p, state) {
    return { up: names(state.links.filter((l) => l.up)), down: names(state.links.filter((l) => !l.up)) };
  },
  // a rehearsal's switch knows these are lost (ctx.lost): its steps do not wait on them
  lostDcs: (p) => p.dcs ?? [],
  verifyIntervalMs: 50,
});
