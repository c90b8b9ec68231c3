import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDetached, stopPid } from '../../../src/lab/process.js';
import { openStateStore } from '../../../src/state/open-store.js';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const run = promisify(execFile);

// etcds:// against a real etcd member that serves TLS and requires client certificates (made here with
// openssl: a CA, a server certificate for 127.0.0.1, a client certificate).
let tmp: { dir: string; cleanup: () => Promise<void> };
let pid = 0;
let port = 0;
const file = (name: string) => path.join(tmp.dir, name);

async function makeCerts(): Promise<void> {
  const ssl = (...args: string[]) => run('openssl', args, { cwd: tmp.dir });
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=drctl-test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  await writeFile(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [
    ['server', '127.0.0.1'],
    ['client', 'drctl'],
  ] as const) {
    await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    await ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
}

beforeAll(async () => {
  tmp = await makeTmpDir('drctl-etcd-tls-');
  await makeCerts();
  port = await freePort();
  const peer = await freePort();
  pid = spawnDetached(
    [
      'etcd',
      '--name',
      'tls',
      '--data-dir',
      file('data'),
      '--listen-client-urls',
      `https://127.0.0.1:${port}`,
      '--advertise-client-urls',
      `https://127.0.0.1:${port}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      `tls=http://127.0.0.1:${peer}`,
      '--initial-cluster-token',
      `tls-${port}`,
      '--cert-file',
      file('server.pem'),
      '--key-file',
      file('server.key'),
      '--trusted-ca-file',
      file('ca.pem'),
      '--client-cert-auth',
      '--grpc-keepalive-min-time=500ms',
      '--listen-metrics-urls',
      '',
      '--log-level',
      'warn',
      '--logger',
      'zap',
      '--log-outputs',
      file('etcd.log'),
    ],
    { logFile: file('stdout.log'), env: { PATH: process.env.PATH ?? '' }, onlyEnv: true },
  );
});
afterAll(async () => {
  if (pid) await stopPid(pid, 'SIGTERM', 3000);
  await tmp?.cleanup();
});

const url = (query: string) => `etcds://127.0.0.1:${port}/tls?${query}`;
const holder = { runId: 'r1', mode: 'run', user: 'u', host: 'elsewhere', pid: 1, since: new Date().toISOString() };

describe('etcd over TLS with client certificates', () => {
  it('ca=, cert= and key= reach etcd: the lock, its lease and fenced writes work', async () => {
    const good = url(`ca=${file('ca.pem')}&cert=${file('client.pem')}&key=${file('client.key')}`);
    await waitFor(
      async () => {
        const s = await openStateStore(good);
        try {
          return (await s.listLocks()).length === 0;
        } finally {
          await s.close();
        }
      },
      'the TLS member to answer',
      20_000,
      200,
    );
    const store = await openStateStore(good);
    try {
      const lease = await store.acquireLock('scope', holder, 2000);
      await store.writeRunMeta(
        {
          schemaVersion: 2,
          runId: 'r1',
          mode: 'run',
          runbook: { name: 'x', file: 'x', hash: 'h' },
          status: 'running',
          startedAt: new Date().toISOString(),
          endedAt: undefined,
          durationMs: undefined,
          host: 'h',
          user: 'u',
          pid: 1,
          summary: undefined,
        },
        lease,
      );
      expect((await store.readRunMeta('r1'))?.status).toBe('running');
      await lease.release();
    } finally {
      await store.close();
    }
  });

  it('without the client certificate, or without the CA, one line naming the store', async () => {
    for (const query of [`ca=${file('ca.pem')}`, `cert=${file('client.pem')}&key=${file('client.key')}`]) {
      const store = await openStateStore(url(query));
      try {
        await expect(store.listLocks()).rejects.toMatchObject({
          code: 'store-unreachable',
          message: expect.stringMatching(new RegExp(`^state store unreachable: etcds://127\\.0\\.0\\.1:${port}/tls: `)),
        });
      } finally {
        await store.close();
      }
    }
  });

  it('a certificate file that cannot be read is bad input naming it', async () => {
    await expect(openStateStore(url(`ca=${file('missing.pem')}`))).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining(`cannot read ca=${file('missing.pem')}`),
    });
  });
});
