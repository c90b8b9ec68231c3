import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { linkRunbook } from '../../../src/lab/link-runbook.js';
import { netnsNet } from '../../../src/lab/net.js';
import { labPorts, type DataCenter } from '../../../src/lab/topology.js';
import type { LabProcess, LabServerKind, LabState } from '../../../src/lab/types.js';

// `drctl lab link-runbook`: a loopback lab runbook rewritten for a --netns lab. Every address form the lab
// runbooks use (and the in-process forms the city cut's steps are moving to) must land on the address of
// the data center owning the port; an address it cannot place is an error, never left pointing nowhere.

const BASE = 27100;
const net = netnsNet(BASE);
const proc = (name: string, kind: LabServerKind, dc: DataCenter, port: number): LabProcess => ({
  name,
  kind,
  dc,
  port,
  pid: 1,
  role: '',
  stopSignal: 'SIGTERM',
  logFile: '',
});
const state = {
  dir: '/lab',
  net,
  ports: labPorts(BASE),
  processes: [
    proc('cache-a-hz-a', 'redis', 'hz-a', 27100),
    proc('cache-a-sh-a', 'redis', 'sh-a', 27101),
    proc('sentinel-sh-a', 'sentinel', 'sh-a', 27110),
    proc('config-centre', 'config-centre', 'sz-a', 27120),
    proc('pg-hz-a', 'postgres', 'hz-a', 27130),
    proc('pg-sh-a', 'postgres', 'sh-a', 27131),
    proc('mariadb-hz-a', 'mariadb', 'hz-a', 27132),
    proc('haproxy', 'haproxy', 'sz-a', 27140),
    proc('app-hz-b', 'dc-app', 'hz-b', 27151),
    proc('named', 'named', 'sz-a', 27160),
  ],
  pg: {
    members: [
      {
        name: 'pg-hz-a',
        dc: 'hz-a',
        host: '10.251.0.11',
        port: 27130,
        user: 'postgres',
        dataDir: '',
        osUser: 'postgres',
        binDir: '',
        netns: 'drlab27100-hz-a',
      },
    ],
  },
} as unknown as LabState;

const BOOK = `apiVersion: drctl/v1
kind: Runbook
metadata: { name: t }
spec:
  fault:
    kind: fault.freeze
    with: { labDir: x, dcs: [hz-a, hz-b] }
    detect:
      - name: d
        redis: { addr: "127.0.0.1:27110", command: [PING] }
  steps:
    - id: db
      kind: db.primary
      with:
        connectTimeout: 1s
        members:
          - { name: pg-hz-a, dc: hz-a, host: 127.0.0.1, port: 27130, dataDir: d }
    - id: cache
      kind: redis.failover
      with:
        sentinels: [127.0.0.1:27110]
        nodeTimeout: 1s
        dcs: { "127.0.0.1:27110": sh-a }
        nodes: [{ addr: "127.0.0.1:27100", dc: hz-a }]
    - id: rules
      kind: rules.flip
      with:
        store: redis://127.0.0.1:27120
        catchUp:
          sql: { host: 127.0.0.1, port: 27131, user: postgres, query: select 1 }
        probes:
          - sql: { host: 127.0.0.1, port: 27131, query: select 1 }
    - id: mw
      kind: exec
      with: { apply: [redis-cli, -p, "27120", SET, k, sh-a] }
    - id: lb
      kind: haproxy.servers
      with: { socket: 127.0.0.1:27141, probe: { url: "http://127.0.0.1:27140/" } }
    - id: wait
      kind: wait
      with: { until: { http: { url: "http://127.0.0.1:27151/middleware" } } }
    - id: dns
      kind: dns.record
      with: { server: 127.0.0.1:27160, to: 127.0.0.20, queryTimeout: 1s }
`;

describe('linkRunbook', () => {
  const out = parse(linkRunbook(BOOK, state)) as { spec: { fault: Record<string, unknown>; steps: { with: Record<string, unknown> }[] } };
  const step = (i: number) => out.spec.steps[i]?.with ?? {};

  it('puts every address on the data center owning its port, in every form the lab runbooks use', () => {
    expect(step(0)['members']).toEqual([
      { name: 'pg-hz-a', dc: 'hz-a', host: '10.251.0.11', port: 27130, dataDir: 'd', netns: 'drlab27100-hz-a' },
    ]);
    expect(step(1)).toMatchObject({
      sentinels: ['10.251.0.1:27110'],
      dcs: { '10.251.0.1:27110': 'sh-a' },
      nodes: [{ addr: '10.251.0.11:27100', dc: 'hz-a' }],
    });
    expect(step(2)).toMatchObject({
      store: 'redis://10.251.0.1:27120',
      catchUp: { sql: { host: '10.251.0.1', port: 27131, user: 'postgres', query: 'select 1' } },
      probes: [{ sql: { host: '10.251.0.1', port: 27131, query: 'select 1' } }],
    });
    expect(step(3)['apply']).toEqual(['redis-cli', '-h', '10.251.0.1', '-p', '27120', 'SET', 'k', 'sh-a']);
    expect(step(4)).toEqual({ socket: '10.251.0.1:27141', probe: { url: 'http://10.251.0.1:27140/' } });
    expect(step(5)).toEqual({ until: { http: { url: 'http://10.251.0.12:27151/middleware' } } });
    // a record's value is not an address of the lab's: 127.0.0.20 stays
    expect(step(6)).toEqual({ server: '10.251.0.1:27160', to: '127.0.0.20', queryTimeout: '2s' });
  });

  it("cuts the fault's data centers by their links, keeps its dcs (ctx.lost), and sets connect/node timeouts", () => {
    expect(out.spec.fault['kind']).toBe('fault.link');
    expect(out.spec.fault['with']).toEqual({
      links: [
        { netns: 'drlab27100-hz-a', dev: 'drlink0' },
        { netns: 'drlab27100-hz-b', dev: 'drlink0' },
      ],
      dcs: ['hz-a', 'hz-b'],
    });
    expect(step(0)['connectTimeout']).toBe('2s');
    expect(step(1)['nodeTimeout']).toBe('2s');
    const waits = parse(linkRunbook(BOOK, state, { keepDcs: false, timeout: '3s' })) as typeof out;
    expect(waits.spec.fault['with']).not.toHaveProperty('dcs');
    expect(waits.spec.steps[1]?.with['nodeTimeout']).toBe('3s');
  });

  it('refuses a port no lab server has, and an address no rule places, naming file:line:column', () => {
    expect(() => linkRunbook(BOOK.replace('127.0.0.1:27160', '127.0.0.1:27999'), state, { file: 'b.yaml' })).toThrow(
      /^b\.yaml:\d+:\d+: 127\.0\.0\.1:27999 is no lab server's port/,
    );
    expect(() => linkRunbook(BOOK.replace('to: 127.0.0.20', 'to: 127.0.0.1'), state, { file: 'b.yaml' })).toThrow(
      /^b\.yaml:\d+:\d+: "127\.0\.0\.1" still names 127\.0\.0\.1/,
    );
  });

  it('refuses a loopback lab', () => {
    expect(() => linkRunbook(BOOK, { ...state, net: undefined } as unknown as LabState)).toThrow(
      /runs on loopback: start it with drctl lab up --netns/,
    );
  });
});
