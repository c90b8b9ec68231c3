/**
 * The lab's tiny application, one process per data center (run as a script, not imported):
 *   node dc-app.js --dc sh-a --port 27152 --config-port 27120 --key middleware:active-dc [--channel C] [--host H --config-host H]
 * GET /            → the data center's name (what HAProxy probes and the LB switch moves)
 * GET /health      → 200 ok (HAProxy health check)
 * GET /middleware  → {"dc","activeDc","consuming"}: a consumer that reads its active data center from
 *                    the configuration centre and consumes only when it is the active one. Like real
 *                    config-centre clients (Nacos, Apollo: a long poll the server answers on a change) it
 *                    is told of a change: it subscribes to the channel (default: the key's name) the
 *                    switch publishes on and reads the key again on each message; its poll every 200 ms
 *                    stays as the fallback (a lost subscription, a writer that does not publish).
 */
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    dc: { type: 'string' },
    port: { type: 'string' },
    'config-port': { type: 'string' },
    key: { type: 'string', default: 'middleware:active-dc' },
    host: { type: 'string', default: '127.0.0.1' },
    'config-host': { type: 'string', default: '127.0.0.1' },
    channel: { type: 'string' },
  },
});
const dc = values.dc ?? 'unknown';
const port = Number(values.port);
const configPort = Number(values['config-port']);
const key = values.key ?? 'middleware:active-dc';
const host = values.host ?? '127.0.0.1';
const configHost = values['config-host'] ?? '127.0.0.1';
const channel = values.channel ?? key;

/** A config centre that does not answer within this is an error the app reports (a busy machine does not trip it). */
const CONFIG_TIMEOUT_MS = 2000;

let activeDc: string | null = null;
let configError: string | null = 'not read yet';

/** GET key over RESP within CONFIG_TIMEOUT_MS: bulk string, or null when missing. */
function redisGet(k: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: configPort, host: configHost });
    let buf = '';
    sock.setTimeout(CONFIG_TIMEOUT_MS, () => {
      sock.destroy();
      reject(new Error('config centre timeout'));
    });
    sock.on('error', reject);
    sock.on('connect', () => sock.write(`*2\r\n$3\r\nGET\r\n$${Buffer.byteLength(k)}\r\n${k}\r\n`));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.startsWith('$-1\r\n')) return finish(null);
      if (buf.startsWith('-')) return fail(buf.trim());
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (m && buf.length >= m[0].length + Number(m[1]) + 2) finish(buf.slice(m[0].length, m[0].length + Number(m[1])));
    });
    const finish = (v: string | null): void => {
      sock.end();
      resolve(v);
    };
    const fail = (msg: string): void => {
      sock.destroy();
      reject(new Error(msg));
    };
  });
}

/** Read the key now; a read asked for while one is under way runs once more after it (nothing is missed). */
let reading: Promise<void> | null = null;
let again = false;
function refresh(): void {
  if (reading) {
    again = true;
    return;
  }
  reading = (async () => {
    do {
      again = false;
      try {
        activeDc = await redisGet(key);
        configError = null;
      } catch (e) {
        configError = e instanceof Error ? e.message : String(e);
      }
    } while (again);
    reading = null;
  })();
}

async function pollLoop(): Promise<void> {
  for (;;) {
    refresh();
    await reading;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * SUBSCRIBE on its own connection; every reply (the subscription's confirmation, each message) reads the
 * key at once. A closed or failed subscription is made again a second later (the poll covers meanwhile).
 */
function subscribe(): void {
  const sock = net.connect({ port: configPort, host: configHost });
  sock.setKeepAlive(true, 1000);
  sock.on('connect', () => sock.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n`));
  sock.on('data', () => refresh());
  sock.on('error', () => sock.destroy());
  sock.on('close', () => setTimeout(subscribe, 1000).unref());
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (url === '/middleware') {
    const body = { dc, activeDc, consuming: activeDc === dc, ...(configError ? { error: configError } : {}) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  } else {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-dc': dc }).end(`${dc}\n`);
  }
});
server.keepAliveTimeout = 1000;
server.listen(port, host);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
subscribe();
void pollLoop();
