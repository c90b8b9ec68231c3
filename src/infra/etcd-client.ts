import { readFileSync } from 'node:fs';
import type { Etcd3, IOptions } from 'etcd3';
import { usageError } from '../util/errors.js';
import { etcdLabel, type EtcdSpec } from './etcd-url.js';

/**
 * An etcd v3 client made the CLI way (lab.md): the npm etcd3 client imported on first use (it costs
 * 200-800 ms of start-up), a deadline on every unary call and none on streams (a watch or a lease
 * keepalive lives for the whole run), gRPC pings so that a silent member (a cut, a frozen process) is
 * noticed on open streams within about two ping intervals. etcd must accept the pings: start it with
 * --grpc-keepalive-min-time at or below the interval (else GOAWAY too_many_pings), or raise ?keepalive=.
 * By default etcd3 retries a failed call 3 times (a 2 s deadline can become 6 s) and stops using a host
 * for 5 s after 3 failures in a row: right for reads and writes, wrong for a lease keeper (singleTry).
 */
export async function makeEtcdClient(spec: EtcdSpec, o: { readonly singleTry?: boolean } = {}): Promise<Etcd3> {
  const { Etcd3 } = await import('etcd3');
  // singleTry: every call goes to the host once, exactly when asked (no retry, no circuit breaker that
  // would refuse a healthy member for 5 s after three calls timed out during an election)
  const noop = o.singleTry ? (await import('cockatiel')).noop : undefined;
  const scheme = spec.tls ? 'https' : 'http';
  const options: IOptions = {
    hosts: spec.endpoints.map((e) => `${scheme}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`),
    defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + spec.timeoutMs }),
    grpcOptions: {
      'grpc.keepalive_time_ms': spec.keepaliveMs,
      'grpc.keepalive_timeout_ms': Math.max(1_000, spec.keepaliveMs),
      // etcd counts pings on a connection without calls as abuse (GOAWAY too_many_pings): none then
      'grpc.keepalive_permit_without_calls': 0,
    },
    ...(noop ? { faultHandling: { host: () => noop, global: noop } } : {}),
    ...(spec.username && spec.password ? { auth: { username: spec.username, password: spec.password } } : {}),
    // etcds:// without files: https:// hosts, verified against the system's roots
    ...(spec.tls && (spec.tls.ca ?? spec.tls.cert) !== undefined ? { credentials: tlsCredentials(spec) } : {}),
  };
  return new Etcd3(options);
}

function tlsCredentials(spec: EtcdSpec): NonNullable<IOptions['credentials']> {
  const read = (name: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw usageError(`${etcdLabel(spec)}: cannot read ${name}=${file}: ${(e as Error).message}`);
    }
  };
  const ca = read('ca', spec.tls?.ca);
  const cert = read('cert', spec.tls?.cert);
  const key = read('key', spec.tls?.key);
  return {
    // without ca= the system's roots verify the members' certificates (grpc-js takes null for them)
    rootCertificate: ca ?? (null as unknown as Buffer),
    ...(key ? { privateKey: key } : {}),
    ...(cert ? { certChain: cert } : {}),
  };
}

/** "etcdserver: request timed out" / "14 UNAVAILABLE: No connection established" → one short line. */
export function etcdErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message
    .replace(/\s+/g, ' ')
    .replace(/\.? ?Resolution note: ?$/, '')
    .trim()
    .slice(0, 300);
}
