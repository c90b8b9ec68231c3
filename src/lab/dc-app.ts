/**
 * The lab's tiny application, one process per data center (run as a script, not imported):
 *   node dc-app.js --dc sh-a --port 27152 --config-port 27120 --key middleware:active-dc
 * GET /            → the data center's name (what HAProxy probes and the LB switch moves)
 * GET /health      → 200 ok (HAProxy health check)
 * GET /middleware  → {"dc","activeDc","consuming"}: a consumer that reads its active data center from
 *                    the configuration centre every 200 ms and consumes only when it is the active one.
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
  },
});
const dc = values.dc ?? 'unknown';
const port = Number(values.port);
const configPort = Number(values['config-port']);
const key = values.key ?? 'middleware:active-dc';
const host = values.host ?? '127.0.0.1';
const configHost = values['config-host'] ?? '127.0.0.1';

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

async function consumeLoop(): Promise<void> {
  for (;;) {
    try {
      activeDc = await redisGet(key);
      configError = null;
    } catch (e) {
      configError = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
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
void consumeLoop();
