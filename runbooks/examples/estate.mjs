#!/usr/bin/env node
// A stand-in "estate" for the example runbooks: each key is one layer of a multi-active deployment
// (DB primary, cache master, routing rules, middleware, LB, DNS). State lives in ESTATE_DIR
// (default: .estate beside this file) as one JSON file, written atomically; every change is also
// appended to changes.log, so tests can count real side effects.
//   node estate.mjs get KEY | set KEY VALUE | check | reset
// The estate also has an HTTP admin API (the way a load balancer is switched in real life):
//   node estate.mjs api        print its base URL, starting it first if it is not running
//   node estate.mjs stop-api   stop it
//   GET /estate/KEY → {"key","value"} · PUT /estate/KEY {"value": V} → sets it · GET /health
// The API (node estate.mjs serve, on a free loopback port, recorded in ESTATE_DIR/api.json) stops by
// itself after 5 idle minutes, or as soon as ESTATE_DIR is removed.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.ESTATE_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '.estate');
const file = path.join(dir, 'estate.json');
const apiFile = path.join(dir, 'api.json');
const DEFAULTS = { 'db.primary': 'hz-a', 'cache.master': 'hz-a', 'rules.hz-shards': 'hz-a', 'mq.active': 'hz-a', 'lb.active': 'hz-a', 'dns.cashier': '127.0.0.2' };
const IDLE_MS = 5 * 60_000;

const load = () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { ...DEFAULTS });
const writeAtomic = (target, text) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${target}.${process.pid}.tmp`, text);
  renameSync(`${target}.${process.pid}.tmp`, target);
};
// Steps run in parallel: two `set`s at once must not lose one's update (read-modify-write under a
// mkdir lock; a lock older than 2 s was left by a killed process).
const locked = (fn, name = '.lock') => {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, name);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 2000) rmdirSync(lock);
      } catch { /* released meanwhile */ }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(lock);
  }
};
const set = (key, value) =>
  locked(() => {
    const now = load();
    now[key] = value;
    writeAtomic(file, JSON.stringify(now, null, 2));
    appendFileSync(path.join(dir, 'changes.log'), `${key}=${value}\n`);
  });

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const running = () => {
  try {
    const api = JSON.parse(readFileSync(apiFile, 'utf8'));
    return alive(api.pid) ? api : undefined;
  } catch {
    return undefined;
  }
};
const healthy = (api) =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: api.port, path: '/health', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });

/** The API's base URL, starting it (one at a time, under a lock) when it is not running. */
async function ensureApi() {
  const found = running();
  if (found && (await healthy(found))) return `http://127.0.0.1:${found.port}`;
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.api-lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
      const other = running();
      if (other && (await healthy(other))) return `http://127.0.0.1:${other.port}`;
    }
  }
  try {
    const again = running();
    if (again && (await healthy(again))) return `http://127.0.0.1:${again.port}`;
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve'], { detached: true, stdio: 'ignore', env: { ...process.env, ESTATE_DIR: dir } });
    child.unref();
    while (Date.now() < deadline) {
      const api = running();
      if (api && api.pid === child.pid && (await healthy(api))) return `http://127.0.0.1:${api.port}`;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the estate API did not start within 10s');
  } finally {
    rmdirSync(lock);
  }
}

function serve() {
  let idle;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => process.exit(0), IDLE_MS);
  };
  const reply = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    touch();
    const key = /^\/estate\/([\w.-]+)$/.exec(req.url ?? '')?.[1];
    if (req.url === '/health') return reply(res, 200, { ok: true });
    if (!key) return reply(res, 404, { error: `no route ${req.method} ${req.url}` });
    if (!(key in load())) return reply(res, 404, { error: `unknown key ${key}` });
    if (req.method === 'GET') return reply(res, 200, { key, value: load()[key] });
    if (req.method !== 'PUT') return reply(res, 405, { error: 'GET or PUT' });
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      let value;
      try {
        value = JSON.parse(body).value;
      } catch {
        return reply(res, 400, { error: 'body must be JSON {"value": ...}' });
      }
      if (typeof value !== 'string') return reply(res, 400, { error: 'value must be a string' });
      set(key, value);
      reply(res, 200, { key, value });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    writeAtomic(apiFile, JSON.stringify({ pid: process.pid, port: server.address().port }));
    touch();
  });
  // a removed estate (a test's temporary folder) ends its API
  setInterval(() => existsSync(dir) || process.exit(0), 1000);
}

const [cmd, key, value] = process.argv.slice(2);
switch (cmd) {
  case 'get': {
    const state = load();
    if (!(key in state)) { console.error(`unknown key ${key}`); process.exit(2); }
    console.log(state[key]);
    break;
  }
  case 'set':
    if (!(key in load()) || value === undefined) { console.error('usage: estate.mjs set KEY VALUE'); process.exit(2); }
    set(key, value);
    break;
  case 'check': {
    // steady state: every layer serves from one data center
    const state = load();
    const dcs = new Set([state['db.primary'], state['cache.master'], state['rules.hz-shards'], state['mq.active'], state['lb.active']]);
    if (dcs.size !== 1) { console.error(`split estate: ${[...dcs].join(', ')}`); process.exit(1); }
    console.log([...dcs][0]);
    break;
  }
  case 'reset':
    writeAtomic(file, JSON.stringify({ ...DEFAULTS }, null, 2));
    break;
  case 'api':
    console.log(await ensureApi());
    break;
  case 'serve':
    serve();
    break;
  case 'stop-api': {
    const api = running();
    if (api) process.kill(api.pid);
    break;
  }
  default:
    console.error('usage: estate.mjs get KEY | set KEY VALUE | check | reset | api | stop-api');
    process.exit(2);
}
