import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import net from 'node:net';
import { hostPortProblemText, parseHostPort, type HostPort } from '../../infra/host-port.js';
import { silenceTimer } from '../../util/silence-timer.js';
import { decodeMessage, encodeQuery, OPCODE, type DnsMessage } from './wire.js';

/** "host:port", "[v6]:port" or a bare host (port 53); a malformed one is a NoReply (EINVAL) naming it. */
export function serverAddr(server: string): HostPort {
  const e = parseHostPort(server, 53);
  if ('problem' in e) throw new NoReply('EINVAL', `bad server ${hostPortProblemText(server, e, 'host[:port]')}`);
  return e;
}

/** A failure to get any reply: code ETIMEOUT (silence), ECONNREFUSED..., or ECANCELLED (the signal). */
export class NoReply extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One question to one server, over UDP (connected: a refused port is reported, not waited for), again
 * over TCP when the reply is truncated. Rejects with NoReply within timeoutMs, or at once on abort.
 */
export async function queryDns(
  server: string,
  name: string,
  type: number,
  timeoutMs: number,
  signal: AbortSignal,
  opcode: number = OPCODE.QUERY,
): Promise<DnsMessage> {
  const { host, port } = serverAddr(server);
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, type, opcode);
  const reply = await exchange(host, port, query, id, timeoutMs, signal, 'udp');
  if (!reply.truncated || opcode !== OPCODE.QUERY) return reply;
  return exchange(host, port, query, id, timeoutMs, signal, 'tcp');
}

function exchange(
  host: string,
  port: number,
  query: Buffer,
  id: number,
  timeoutMs: number,
  signal: AbortSignal,
  via: 'udp' | 'tcp',
): Promise<DnsMessage> {
  return new Promise((resolve, reject) => {
    let close = (): void => undefined;
    let settled = false;
    const timer = silenceTimer(timeoutMs, () => done(new NoReply('ETIMEOUT', `no answer within ${timeoutMs}ms`)));
    const onAbort = (): void => done(new NoReply('ECANCELLED', 'cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    function done(result: Error | Buffer): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      close();
      if (!(result instanceof Buffer)) return reject(result);
      try {
        const m = decodeMessage(result);
        if (m.id !== id) return reject(new NoReply('EBADRESP', 'reply to another query'));
        resolve(m);
      } catch (e) {
        reject(new NoReply('EBADRESP', e instanceof Error ? e.message : String(e)));
      }
    }
    const fail = (e: NodeJS.ErrnoException): void => done(new NoReply(e.code ?? 'EIO', `unreachable (${e.code ?? e.message})`));
    if (signal.aborted) return onAbort();
    if (via === 'udp') {
      const sock = createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      close = () => sock.close();
      sock.on('error', fail);
      sock.on('message', (msg) => done(msg));
      sock.connect(port, host, () => sock.send(query));
      return;
    }
    const conn = net.connect({ host, port });
    close = () => conn.destroy();
    let buf = Buffer.alloc(0);
    conn.on('error', fail);
    conn.on('connect', () => conn.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}
