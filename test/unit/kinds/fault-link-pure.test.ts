import { describe, expect, it } from 'vitest';
import { ipFailure, parseLinkLine } from '../../../src/kinds/fault/ip-link-output.js';
import { faultLinkKind } from '../../../src/kinds/fault/link.js';
import type { CommandResult } from '../../../src/infra/exec.js';

const result = (over: Partial<CommandResult>): CommandResult => ({
  argv: ['ip'],
  exitCode: 1,
  stdout: '',
  stderr: '',
  durationMs: 1,
  timedOut: false,
  cancelled: false,
  spawnError: undefined,
  pid: 1,
  ...over,
});
const link = { netns: 'hz-a', dev: 'veth-hz' };

describe('parseLinkLine (ip -o link show)', () => {
  it('reads the UP flag, not the operational state', () => {
    expect(
      parseLinkLine(
        '2: vx@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether b2:c0',
      ),
    ).toEqual({ up: true, operState: 'UP' });
    // admin up, peer down: still "up" for fault.link (it is what `ip link set` changes)
    expect(parseLinkLine('2: vx@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT')).toEqual({
      up: true,
      operState: 'DOWN',
    });
    expect(parseLinkLine('2: vx@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT')).toEqual({
      up: false,
      operState: 'DOWN',
    });
    expect(parseLinkLine('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT')).toEqual({
      up: true,
      operState: 'UNKNOWN',
    });
    expect(parseLinkLine('3: eth0: <BROADCAST,MULTICAST,LOWER_UP_X> mtu 1500')).toEqual({ up: false, operState: 'UNKNOWN' });
    expect(parseLinkLine('Device "nope" does not exist.')).toBeUndefined();
  });
});

describe('ipFailure: user errors are clear and not retryable', () => {
  it.each([
    [
      'Cannot open network namespace "hz-a": No such file or directory',
      'fault.link hz-a:veth-hz: network namespace "hz-a" does not exist (see ip netns list)',
    ],
    [
      'Device "veth-hz" does not exist.',
      'fault.link hz-a:veth-hz: device "veth-hz" does not exist in network namespace "hz-a" (see ip -n hz-a link)',
    ],
    [
      'Cannot find device "veth-hz"',
      'fault.link hz-a:veth-hz: device "veth-hz" does not exist in network namespace "hz-a" (see ip -n hz-a link)',
    ],
    [
      'setting the network namespace "hz-a" failed: Operation not permitted',
      'fault.link hz-a:veth-hz: not permitted to read the link in network namespace "hz-a": needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)',
    ],
  ])('%s', (stderr, message) => {
    const e = ipFailure(link, 'read the link', result({ stderr }));
    expect([e.message, e.retryable]).toEqual([message, false]);
  });
  it('a missing ip command is not retryable; a timeout or an unknown failure is', () => {
    expect(ipFailure(link, 'read the link', result({ exitCode: undefined, spawnError: 'command not found: ip' }))).toMatchObject({
      message: 'fault.link hz-a:veth-hz: command not found: ip (install iproute2)',
      retryable: false,
    });
    expect(ipFailure(link, 'set the link down', result({ exitCode: undefined, timedOut: true }))).toMatchObject({
      message: 'fault.link hz-a:veth-hz: set the link down timed out',
      retryable: true,
    });
    expect(
      ipFailure(link, 'set the link down', result({ exitCode: 2, stderr: 'RTNETLINK answers: Device or resource busy' })),
    ).toMatchObject({
      retryable: true,
      message: 'fault.link hz-a:veth-hz: set the link down failed (exit 2): RTNETLINK answers: Device or resource busy',
    });
  });
});

describe('fault.link decide / holds / describe', () => {
  const p = { links: [link, { netns: 'hz-b', dev: 'veth-hzb' }] };
  const state = (a: boolean, b: boolean) => ({
    links: [
      { ...link, up: a },
      { netns: 'hz-b', dev: 'veth-hzb', up: b },
    ],
  });
  it('changes unless every link is down, toward all down', () => {
    expect(faultLinkKind.decide(p, state(true, false))).toEqual({ action: 'change', desired: state(false, false) });
    expect(faultLinkKind.decide(p, state(false, false))).toEqual({ action: 'noop', reason: 'already cut (2 links down)' });
  });
  it('holds compares the UP flag of each link, naming the ones that differ', () => {
    expect(faultLinkKind.holds(p, state(false, false), state(false, true))).toEqual({ ok: false, detail: 'still up: hz-b:veth-hzb' });
    expect(faultLinkKind.holds(p, state(true, false), state(false, false))).toEqual({ ok: false, detail: 'still down: hz-a:veth-hz' });
    expect(faultLinkKind.holds(p, state(true, false), state(true, false))).toEqual({ ok: true });
  });
  it('describes the cut', () => {
    expect(faultLinkKind.describe(p, state(true, true), undefined)).toBe('cut links hz-a:veth-hz, hz-b:veth-hzb (2 links)');
    expect(faultLinkKind.describe(p, state(true, false), undefined)).toBe(
      'cut links hz-a:veth-hz, hz-b:veth-hzb (2 links, 1 already down)',
    );
    expect(faultLinkKind.describe({ links: [link] }, { links: [{ ...link, up: true }] }, undefined)).toBe('cut link hz-a:veth-hz (1 link)');
    // the same cut, both ways: the apply (toward down) and the restore (back to the links that were up)
    expect(faultLinkKind.describe(p, state(true, false), state(false, false))).toBe(
      'cut links hz-a:veth-hz, hz-b:veth-hzb (2 links, 1 already down)',
    );
    expect(faultLinkKind.describe(p, state(false, false), state(true, false))).toBe('restore link hz-a:veth-hz (set up)');
    expect(faultLinkKind.outputs?.(p, state(true, false))).toEqual({ up: ['hz-a:veth-hz'], down: ['hz-b:veth-hzb'] });
  });
});

describe('validate checks fault.link params in spec.fault', () => {
  const diagnose = async (withBlock: string) => {
    const { parseYamlText } = await import('../../../src/yaml/file.js');
    const { validateRunbookData } = await import('../../../src/runbook/validate.js');
    const { loadBuiltinRegistry } = await import('../../../src/kinds/builtin.js');
    const registry = await loadBuiltinRegistry();
    const text = [
      'apiVersion: drctl/v1',
      'kind: Runbook',
      'metadata: { name: f }',
      'spec:',
      '  fault:',
      '    kind: fault.link',
      `    with: ${withBlock}`,
      '    detect: [{ name: down, exec: [true] }]',
      '  steps: [{ id: a, kind: wait, with: { duration: 1s } }]',
    ].join('\n');
    return validateRunbookData(parseYamlText('/x/f.yaml', text), registry).map((d) => `${d.line}:${d.column} ${d.message}`);
  };
  it('accepts links, refuses an empty list or a link without its device', async () => {
    expect(await diagnose('{ links: [{ netns: dc-hz-a, dev: veth-hz-a }] }')).toEqual([]);
    expect(await diagnose('{ links: [] }')).toEqual(['7:20 spec.fault.with.links must have at least 1 item']);
    expect(await diagnose('{ links: [{ netns: dc-hz-a }] }')).toEqual(['7:21 missing required field "dev" in spec.fault.with.links[0]']);
  });
});
