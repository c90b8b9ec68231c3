import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { yamlLib } from '../yaml/lib.js';
import { labInvalid } from './errors.js';
import { LOOPBACK_HOST, serverHost } from './net.js';
import { HAPROXY } from './topology.js';
import type { LabState } from './types.js';

/**
 * A lab runbook (written for the loopback lab: every address 127.0.0.1) rewritten for a netns lab
 * (`drctl lab up --netns`), so a rehearsal cuts Hangzhou by dropping packets instead of freezing it:
 *  - every 127.0.0.1 address becomes the address of the data center owning that port (lab.json says
 *    which): `addr: "127.0.0.1:PORT"`, list items, `url: http://127.0.0.1:PORT/…`, `server:`,
 *    `store: redis://…`, `socket:`, map keys; `host: 127.0.0.1` beside `port: PORT`; `redis-cli -p PORT`
 *    gets `-h HOST`. An address left over (a port no
 *    lab server has) is an error naming its line and column: never a runbook that talks to nowhere.
 *  - db.primary members get the `netns` their server runs in (a fail-back starts it there again).
 *  - the fault becomes fault.link: the links of the fault's data centers (its `dcs`), `dcs` kept so the
 *    switch does not wait on them (ctx.lost) unless `keepDcs` is false.
 *  - connect and node timeouts (connectTimeout, nodeTimeout, queryTimeout) become `timeout` (2s: a
 *    production-like figure; the loopback runbook's 1s assumes answers in microseconds).
 */
export interface LinkRunbookOptions {
  /** Connect/node timeouts (default 2s). */
  readonly timeout?: string;
  /** The runbook's path, for errors (file:line:column). */
  readonly file?: string;
  /** Keep the fault's dcs (ctx.lost): default true. false: the switch waits on the cut side (a contrast). */
  readonly keepDcs?: boolean;
}

const ADDRESS = /127\.0\.0\.1:(\d+)/g;
const LEFT_OVER = /127\.0\.0\.1(?!\d)/;
const TIMEOUT_KEYS = new Set(['connectTimeout', 'nodeTimeout', 'queryTimeout']);

/** Which address each lab port has (every process, and HAProxy's admin port). */
export function labPortHosts(state: LabState): Map<number, string> {
  const hosts = new Map<number, string>();
  for (const p of state.processes) hosts.set(p.port, serverHost(state.net, p.kind, p.dc));
  hosts.set(state.ports.haproxyAdmin, serverHost(state.net, 'haproxy', HAPROXY.dc));
  for (const m of state.etcd?.members ?? []) hosts.set(m.clientPort, serverHost(state.net, 'etcd', m.dc));
  return hosts;
}

export function linkRunbook(text: string, state: LabState, options: LinkRunbookOptions = {}): string {
  const net = state.net;
  if (net?.mode !== 'netns') throw labInvalid(`the lab in ${state.dir} runs on loopback: start it with drctl lab up --netns`);
  const y = yamlLib();
  const lines = new y.LineCounter();
  const doc = y.parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) throw labInvalid(`the runbook is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
  const hosts = labPortHosts(state);
  const where = (node: Node | null | undefined): string => {
    const at = node?.range ? lines.linePos(node.range[0]) : undefined;
    return at ? `${options.file ?? 'line'}:${at.line}:${at.col}` : (options.file ?? 'the runbook');
  };
  const hostOfPort = (port: string, node: Node): string => {
    const h = hosts.get(Number(port));
    if (h === undefined)
      throw labInvalid(`${where(node)}: 127.0.0.1:${port} is no lab server's port: cannot say which data center's address it is`);
    return h;
  };
  const timeout = options.timeout ?? '2s';
  y.visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string') return;
      node.value = node.value.replace(ADDRESS, (_m, port: string) => `${hostOfPort(port, node)}:${port}`);
    },
    Pair(_key, pair: Pair) {
      const key = y.isScalar(pair.key) ? String(pair.key.value) : '';
      if (TIMEOUT_KEYS.has(key) && y.isScalar(pair.value)) pair.value.value = timeout;
    },
    Map(_key, map: YAMLMap) {
      const host = map.get('host', true) as Scalar | undefined;
      const port = map.get('port');
      if (host?.value === LOOPBACK_HOST && port !== undefined) host.value = hostOfPort(String(port), host);
      const pg = state.pg.members.find((m) => m.port === Number(port) && m.netns !== undefined);
      if (pg?.netns !== undefined && map.has('dataDir') && map.has('name')) map.set('netns', pg.netns);
    },
    Seq(_key, seq: YAMLSeq) {
      const items = seq.items.map((i) => (y.isScalar(i) ? String(i.value) : undefined));
      if (items[0] === 'redis-cli' && !items.includes('-h')) {
        const p = items.indexOf('-p');
        if (p > 0 && items[p + 1] !== undefined)
          seq.items.splice(1, 0, doc.createNode('-h'), doc.createNode(hostOfPort(items[p + 1] ?? '', seq)));
      }
    },
  });
  replaceFault(doc, state, options.keepDcs ?? true);
  y.visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string' && LEFT_OVER.test(node.value)) {
        throw labInvalid(`${where(node)}: "${node.value}" still names 127.0.0.1: no rule says which data center's address it is`);
      }
    },
  });
  const made = ` Made by drctl lab link-runbook for the --netns lab in ${state.dir}: addresses per data center, the cut drops packets (fault.link), connect/node timeouts ${timeout}.`;
  doc.commentBefore = doc.commentBefore ? `${made}\n${doc.commentBefore}` : made;
  return doc.toString({ lineWidth: 0 });
}

/** The fault → fault.link on the links of its data centers (fault.freeze's `dcs`, or fault.lost). */
function replaceFault(doc: Document, state: LabState, keepDcs: boolean): void {
  const y = yamlLib();
  const fault = doc.getIn(['spec', 'fault']);
  if (!y.isMap(fault)) throw labInvalid('the runbook has no spec.fault to turn into a packet-dropping cut');
  const given = doc.getIn(['spec', 'fault', 'with', 'dcs']) ?? doc.getIn(['spec', 'fault', 'lost']);
  const dcs = (y.isSeq(given) ? given.toJSON() : []) as string[];
  if (dcs.length === 0) throw labInvalid("the runbook's fault names no data centers (with.dcs): which links would be cut?");
  const links = dcs.map((dc) => {
    const link = state.net?.links?.[dc as keyof NonNullable<NonNullable<LabState['net']>['links']>];
    if (link === undefined)
      throw labInvalid(
        `data center ${dc} has no link of its own in this lab (only ${Object.keys(state.net?.links ?? {}).join(', ')} can be cut)`,
      );
    return { netns: link.netns, dev: link.dev };
  });
  fault.set('kind', 'fault.link');
  fault.set('with', doc.createNode(keepDcs ? { links, dcs } : { links }));
  fault.delete('lost');
  const description = fault.get('description');
  if (typeof description === 'string') fault.set('description', `${description}: drop their packets (links down)`);
}
