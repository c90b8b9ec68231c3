import { describe, expect, it } from 'vitest';
import { stateDiff } from '../../../src/plan/diff.js';

describe('stateDiff: what a step changes, field by field', () => {
  it('a changed field, fields the desired state leaves out kept as context, a new field added', () => {
    expect(stateDiff({ master: '127.0.0.1:7001', dc: 'hz-a', replicas: 2 }, { master: '127.0.0.1:7003', dc: 'sh-a', ready: true })).toEqual(
      [
        { path: 'master', op: '~', before: '127.0.0.1:7001', after: '127.0.0.1:7003' },
        { path: 'dc', op: '~', before: 'hz-a', after: 'sh-a' },
        { path: 'replicas', op: ' ', before: 2, after: 2 },
        { path: 'ready', op: '+', after: true },
      ],
    );
  });
  it('nested maps by dotted path; a list of maps by index; a replaced parent removes what it no longer has', () => {
    const before = {
      servers: { 'hz-a-1': { state: 'ready' }, 'sh-a-1': { state: 'maint' } },
      members: [{ role: 'primary' }, { role: 'replica' }],
    };
    const desired = {
      servers: { 'hz-a-1': { state: 'maint' }, 'sh-a-1': { state: 'ready' } },
      members: [{ role: 'replica' }, { role: 'primary' }],
    };
    expect(
      stateDiff(before, desired)
        .filter((l) => l.op !== ' ')
        .map((l) => `${l.op} ${l.path}`),
    ).toEqual(['~ servers.hz-a-1.state', '~ servers.sh-a-1.state', '~ members[0].role', '~ members[1].role']);
    expect(stateDiff({ map: { a: 1, b: 2 } }, { map: { a: 1 }, 'map.x': 1 }).map((l) => `${l.op} ${l.path}`)).toContain('  map.b');
  });
  it('a scalar state, and no state observed', () => {
    expect(stateDiff('127.0.0.2', '127.0.0.3')).toEqual([{ path: '', op: '~', before: '127.0.0.2', after: '127.0.0.3' }]);
    expect(stateDiff(undefined, { done: true })).toEqual([{ path: 'done', op: '+', after: true }]);
    expect(stateDiff('off', { mode: 'on' })).toEqual([
      { path: '', op: '-', before: 'off' },
      { path: 'mode', op: '+', after: 'on' },
    ]);
  });
});
