import net from 'node:net';

/**
 * A TCP relay on another loopback address (e.g. 127.0.0.2, same port) in front of a live server: what a
 * client sends goes through at once, what the server answers is held until `release()`. A live server
 * whose answer comes late, exactly when the test says: the client has no answer while it is held.
 */
export interface HeldProxy {
  readonly host: string;
  readonly port: number;
  /** Pass on what was held, and everything after it. */
  release(): void;
  /** Resolves when a client that connected closed its connection after the release (its answer is in). */
  readonly answered: Promise<void>;
  /** Stop listening and end every relayed connection. */
  close(): Promise<void>;
}

export async function heldProxy(host: string, port: number, target: { host: string; port: number }): Promise<HeldProxy> {
  let released = false;
  const waiting: (() => void)[] = [];
  const sockets = new Set<net.Socket>();
  let answered: () => void = () => undefined;
  const answeredP = new Promise<void>((r) => (answered = r));
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const held: Buffer[] = [];
    const flush = (): void => {
      for (const b of held.splice(0)) client.write(b);
    };
    client.on('data', (b: Buffer) => upstream.write(b));
    upstream.on('data', (b: Buffer) => (released ? client.write(b) : held.push(b)));
    if (!released) waiting.push(flush);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      if (released) answered();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    host,
    port,
    release() {
      released = true;
      for (const f of waiting.splice(0)) f();
    },
    answered: answeredP,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
