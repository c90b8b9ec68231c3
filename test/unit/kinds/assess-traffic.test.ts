import { describe, expect, test } from 'vitest';
import { assessRecord } from '../../../src/kinds/dns-record/assess.js';
import type { DnsRecordParams, DnsRecordState } from '../../../src/kinds/dns-record/params.js';
import { assessServers } from '../../../src/kinds/haproxy-servers/assess.js';
import type { HaproxyServersParams, HaproxyServersState } from '../../../src/kinds/haproxy-servers/params.js';
import { assessUpstream } from '../../../src/kinds/nginx-upstream/assess.js';
import type { NginxUpstreamParams, NginxUpstreamState } from '../../../src/kinds/nginx-upstream/params.js';
import { assessFailover } from '../../../src/kinds/redis-failover/assess.js';
import type { NodeView, RedisFailoverParams, RedisFailoverState } from '../../../src/kinds/redis-failover/params.js';
import { assessRules } from '../../../src/kinds/rules-flip/assess.js';
import type { RulesFlipState } from '../../../src/kinds/rules-flip/observe.js';
import { encodeMap } from '../../../src/rules/shard-map.js';

// redis.failover, rules.flip, haproxy.servers, nginx.upstream and dns.record what-ifs (pure).
const S = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];
const REDIS: RedisFailoverParams = {
  sentinels: S,
  master: 'cache-b',
  to: 'sh-b',
  dcs: { [S[0] as string]: 'sh-a', [S[1] as string]: 'sh-b', [S[2] as string]: 'sz-a' },
  nodes: [
    { addr: '127.0.0.1:10', dc: 'hz-b' },
    { addr: '127.0.0.1:11', dc: 'sh-b' },
  ],
};
const master: NodeView = { addr: '127.0.0.1:10', dc: 'hz-b', role: 'master' };
const replica: NodeView = { addr: '127.0.0.1:11', dc: 'sh-b', role: 'replica', masterAddr: '127.0.0.1:10', link: 'connected', offset: 5 };
const group = (nodes: NodeView[], down: string[] = []): RedisFailoverState => ({
  group: 'cache-b',
  mode: 'sentinel',
  master: '127.0.0.1:10',
  masterDc: 'hz-b',
  quorum: 2,
  nodes,
  sentinels: Object.fromEntries(S.map((a) => [a, down.includes(a) ? 'unreachable: connect ECONNREFUSED' : '127.0.0.1:10'])),
});

describe('redis.failover assess', () => {
  test('the master lost: a replica in the target DC with its link up and a Sentinel majority outside the lost DCs', () => {
    expect(assessFailover(REDIS, group([master, replica]), ['hz-b'])).toMatchObject({
      verdict: 'ok',
      leaves: [{ risk: 'failover', text: 'redis cache-b: no replica left for 127.0.0.1:11 (sh-b)' }],
    });
  });

  test('a stopped replica: nothing to take over, a failure naming it', () => {
    const down: NodeView = { addr: '127.0.0.1:11', dc: 'sh-b', role: 'unreachable', detail: 'connect ECONNREFUSED' };
    expect(assessFailover(REDIS, group([master, down]), ['hz-b'])).toMatchObject({
      verdict: 'fail',
      reason:
        'redis cache-b: no replica in sh-b outside hz-b with its link up to take over (127.0.0.1:11 (sh-b) unreachable now (connect ECONNREFUSED))',
    });
  });

  test('two of three sentinels stopped: no majority to elect when the master is lost; a planned move still has one sentinel', () => {
    const two = group([master, replica], [S[0] as string, S[1] as string]);
    const a = assessFailover(REDIS, two, ['hz-b']);
    expect(a.verdict).toBe('fail');
    expect(a.reason).toContain(
      '1 of 3 sentinels left (it takes 2: quorum 2, majority 2): 127.0.0.1:1 (sh-a) does not answer now; 127.0.0.1:2 (sh-b) does not answer now',
    );
    expect(assessFailover(REDIS, two, ['hz-a']).verdict).toBe('ok');
  });

  test('sentinels of unknown data center: the verdict depends on them (unknown) unless the count settles it', () => {
    const { dcs: _dcs, ...noDcs } = REDIS;
    expect(assessFailover(noDcs, group([master, replica]), ['hz-b']).verdict).toBe('unknown');
  });

  test('the target DC lost, or the master already there: a failure, or nothing to do', () => {
    expect(assessFailover(REDIS, group([master, replica]), ['sh-b']).reason).toBe("the step moves cache-b's master to sh-b, which is lost");
    expect(assessFailover({ ...REDIS, to: 'hz-b' }, group([master, replica]), ['sh-a', 'sh-b'])).toMatchObject({
      verdict: 'ok',
      leaves: [
        { text: 'redis cache-b: no replica left for 127.0.0.1:10 (hz-b)' },
        { text: 'Sentinel: 1 of 3 sentinels left, it takes 2 to elect: no automatic failover' },
      ],
    });
  });
});

const dcOf = { RZ01: 'hz-a', RZ02: 'hz-b', RZ03: 'sh-a' };
const rules = (owners: string[], capacity: Record<string, number>, refusal: string | null = null): RulesFlipState => ({
  version: 3,
  map: encodeMap({ owners }),
  fence: null,
  cut: ['hz-a'],
  recordedCut: [],
  cutToRecord: ['hz-a'],
  ownedByCut: '',
  target: refusal ? null : encodeMap({ owners }),
  refusal,
  dcOf,
  capacity,
});

describe('rules.flip assess', () => {
  test('the flip leaves every shard a surviving owner: the fullest surviving zone is the headroom', () => {
    const s = rules(['RZ03', 'RZ03', 'RZ02', 'RZ03'], { RZ01: 4, RZ02: 4, RZ03: 4 });
    expect(assessRules({ store: 'x', topology: 't', cut: ['hz-a'] }, s, ['hz-a'])).toMatchObject({
      verdict: 'ok',
      headroom: { pct: 25, zone: 'RZ03 (sh-a)' },
    });
  });

  test('shards left with a zone in a lost DC (the runbook cuts other DCs) fail; a refused flip (over capacity) fails', () => {
    const s = rules(['RZ03', 'RZ02', 'RZ02', 'RZ03'], { RZ01: 4, RZ02: 4, RZ03: 4 });
    expect(assessRules({ store: 'x', topology: 't', cut: ['hz-a'] }, s, ['hz-a', 'hz-b']).reason).toBe(
      'after the flip (cut hz-a), shards 1-2 with RZ02 (hz-b) would have no surviving owner: hz-b lost',
    );
    expect(
      assessRules({ store: 'x', topology: 't' }, rules([], {}, 'zone RZ03 (sh-a) would own 61 shards but its capacity is 60: over by 1'), [
        'hz-a',
      ]),
    ).toMatchObject({
      verdict: 'fail',
      reason: 'the flip would be refused: zone RZ03 (sh-a) would own 61 shards but its capacity is 60: over by 1',
    });
  });
});

describe('load balancers and DNS assess', () => {
  const HA: HaproxyServersParams = {
    socket: 's',
    backend: 'app',
    ready: ['sh-a'],
    maint: ['hz-a'],
    dcs: { 'hz-a': 'hz-a', 'sh-a': 'sh-a' },
  };
  const ha = (shUp: boolean, shState: 'maint' | 'ready' = 'maint'): HaproxyServersState => ({
    backend: 'app',
    servers: { 'hz-a': { state: 'ready', weight: 1, up: true }, 'sh-a': { state: shState, weight: 1, up: shUp } },
  });
  test('haproxy.servers: the servers to make ready must survive and be up now (in maintenance they are not checked)', () => {
    expect(assessServers(HA, ha(false), ['hz-a'])).toMatchObject({
      verdict: 'ok',
      reason: 'app serves from sh-a (sh-a); sh-a in maintenance now: not health-checked until made ready',
    });
    expect(assessServers(HA, ha(false, 'ready'), ['hz-a'])).toMatchObject({
      verdict: 'fail',
      reason: "sh-a (sh-a) is DOWN now (failing HAProxy's health checks)",
    });
    expect(assessServers(HA, ha(true), ['sh-a'])).toMatchObject({ verdict: 'fail', reason: 'the step makes ready sh-a (sh-a), lost' });
  });

  const NG: NginxUpstreamParams = { file: 'f', prefix: 'p', conf: 'c', up: ['b:2'], down: ['a:1'], dcs: { 'a:1': 'hz-a', 'b:2': 'sh-a' } };
  const ng = (master: number | null): NginxUpstreamState => ({
    file: 'f',
    upstream: 'app',
    master,
    servers: { 'a:1': { state: 'up', weight: 1 }, 'b:2': { state: 'down', weight: 1 } },
  });
  test('nginx.upstream: nginx must run; the servers brought up must survive', () => {
    expect(assessUpstream(NG, ng(42), ['hz-a']).verdict).toBe('ok');
    expect(assessUpstream(NG, ng(null), ['hz-a']).reason).toBe('nginx is not running now (no live master for f)');
    expect(assessUpstream(NG, ng(42), ['sh-a']).reason).toBe('the step brings up b:2 (sh-a), lost');
  });

  const DNS: DnsRecordParams = {
    server: '127.0.0.1:53',
    zone: 'example.test',
    name: 'cashier',
    type: 'A',
    to: '127.0.0.20',
    dcs: { '127.0.0.1:53': 'sz-a' },
  };
  const dns = (ttl: number, error?: string): DnsRecordState => ({
    fqdn: 'cashier.example.test',
    type: 'A',
    values: ['127.0.0.10'],
    ttl,
    servers: { '127.0.0.1:53': { values: ['127.0.0.10'], ttl, ...(error ? { error } : {}) } },
  });
  test('dns.record: its server must survive and answer now; the TTL clients may keep is reported', () => {
    expect(assessRecord(DNS, dns(3600), ['hz-a'])).toMatchObject({
      verdict: 'ok',
      ttlSeconds: 3600,
      reason: '127.0.0.1:53 (sz-a) answers and takes the update; clients may keep the old answer 3600s',
    });
    expect(assessRecord(DNS, dns(5), ['sz-a'])).toMatchObject({
      verdict: 'fail',
      reason: '127.0.0.1:53 (sz-a), which takes the update, is lost',
    });
    expect(assessRecord(DNS, dns(5, 'no answer within 2000ms'), ['hz-a']).verdict).toBe('fail');
  });
});
