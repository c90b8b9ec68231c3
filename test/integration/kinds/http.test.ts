import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpKind } from '../../../src/kinds/http.js';
import { waitKind } from '../../../src/kinds/wait.js';
import { freePort } from '../../helpers/free-port.js';
import { startDcApp } from '../../../src/lab/dc-apps.js';
import { stopPid } from '../../../src/lab/process.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { runStepLife } from '../../helpers/step-life.js';

// A real HTTP server standing for an LB/DNS/DB control API: GET /active, POST /active {dc}.
let server: http.Server;
let base: string;
let active = 'hz-a';
let posts = 0;

beforeAll(async () => {
  const port = await freePort();
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/active' && req.method === 'GET') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ active, healthy: true }));
      } else if (req.url === '/active' && req.method === 'POST') {
        posts++;
        const dc = (JSON.parse(body) as { dc?: string }).dc;
        if (!dc) {
          res.statusCode = 400;
          res.end('missing dc');
          return;
        }
        active = dc;
        res.end('ok');
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const switchTo = (dc: string, back: string) => ({
  observe: { url: `${base}/active`, expect: { json: [{ path: '$.active', equals: dc }] } },
  request: { url: `${base}/active`, method: 'POST', json: { dc }, expect: { status: [200] } },
  rollback: { url: `${base}/active`, method: 'POST', json: { dc: back } },
});

describe('http kind against a real server', () => {
  it('applies, is a skip when run again, and rolls back to the observed state', async () => {
    active = 'hz-a';
    posts = 0;
    const life = await runStepLife(httpKind, switchTo('sh-a', 'hz-a'));
    expect(life.decision.action).toBe('change');
    expect(life.after?.done).toBe(true);
    expect(life.again?.action).toBe('noop');
    expect(active).toBe('hz-a');
    expect(posts).toBe(2);
    expect(life.describe).toBe(`POST ${base}/active`);
  });

  it('an expectation that fails names what was seen', async () => {
    const ctx = makeKindContext();
    const p = { request: { url: `${base}/active`, method: 'POST', json: {}, expect: { status: [200] } } };
    await expect(httpKind.apply(p, { current: { done: null }, desired: { done: true } }, ctx)).rejects.toThrow(
      `request ${base}/active: HTTP 400, want 200`,
    );
  });

  it('an unreachable server fails with the connection error, not a hang', async () => {
    const port = await freePort();
    const ctx = makeKindContext({ timeoutMs: 5000 });
    const p = { observe: { url: `http://127.0.0.1:${port}/x` }, request: { url: `http://127.0.0.1:${port}/x` } };
    await expect(httpKind.observe(p, ctx)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('wait.until polls a probe: holds now is a skip; not yet is a change', async () => {
    active = 'sh-a';
    const until = { http: { url: `${base}/active` }, expect: { json: [{ path: '$.active', in: ['sh-a', 'sh-b'] }] } };
    const ctx = makeKindContext();
    expect(waitKind.decide({ until }, await waitKind.observe({ until }, ctx)).action).toBe('noop');
    active = 'hz-a';
    const state = await waitKind.observe({ until }, ctx);
    expect(state).toEqual({ holds: false, detail: '$.active is "hz-a", want one of ["sh-a","sh-b"]' });
  });
});

describe('http deadlines: a real HTTP server frozen mid-step (SIGSTOP) never holds the step past its deadline', () => {
  let app: { pid: number; port: number };
  let cleanupApp: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const tmp = await makeTmpDir('drctl-http-frozen-');
    const port = await freePort();
    // the lab's data-center app, a process of its own (no config centre here: it answers with its name)
    const started = await startDcApp({ dir: tmp.dir, dc: 'hz-a', port, configPort: await freePort(), key: 'k' });
    app = { pid: started.pid, port };
    cleanupApp = async () => {
      await stopPid(started.pid);
      await tmp.cleanup();
    };
  });
  afterAll(async () => cleanupApp());

  const slow = () => ({
    observe: { url: `http://127.0.0.1:${app.port}/`, expect: { status: [200] } },
    request: { url: `http://127.0.0.1:${app.port}/switch`, method: 'POST', json: { dc: 'sh-a' } },
    requestTimeout: '10m',
  });

  it('observe waiting on a frozen server stops at once when the signal aborts', async () => {
    const r = await whileFrozen([app.pid], () => abortMidStep((ctx) => httpKind.observe(slow(), ctx), { port: app.port }));
    expectStoppedInGrace(r);
  });

  it('apply waiting on a frozen server stops at once when the signal aborts', async () => {
    const r = await whileFrozen([app.pid], () =>
      abortMidStep((ctx) => httpKind.apply(slow(), { current: { done: false }, desired: { done: true } }, ctx), { port: app.port }),
    );
    expectStoppedInGrace(r);
  });
});
