#!/usr/bin/env node
// A stand-in "estate" for the example runbooks: each key is one layer of a multi-active deployment
// (DB primary, cache master, routing rules, middleware, LB, DNS). State lives in ESTATE_DIR
// (default: .estate beside this file) as one JSON file, written atomically; every change is also
// appended to changes.log, so tests can count real side effects.
//   node estate.mjs get KEY | set KEY VALUE | check | reset
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.ESTATE_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '.estate');
const file = path.join(dir, 'estate.json');
const DEFAULTS = { 'db.primary': 'hz-a', 'cache.master': 'hz-a', 'rules.hz-shards': 'hz-a', 'mq.active': 'hz-a', 'lb.active': 'hz-a', 'dns.cashier': '127.0.0.2' };

const load = () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { ...DEFAULTS });
const save = (state) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.${process.pid}.tmp`, file);
};
// Steps run in parallel: two `set`s at once must not lose one's update (read-modify-write under a
// mkdir lock; a lock older than 2 s was left by a killed process).
const locked = (fn) => {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.lock');
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

const [cmd, key, value] = process.argv.slice(2);
const state = load();
switch (cmd) {
  case 'get':
    if (!(key in state)) { console.error(`unknown key ${key}`); process.exit(2); }
    console.log(state[key]);
    break;
  case 'set':
    if (!(key in state) || value === undefined) { console.error('usage: estate.mjs set KEY VALUE'); process.exit(2); }
    locked(() => {
      const now = load();
      now[key] = value;
      save(now);
      appendFileSync(path.join(dir, 'changes.log'), `${key}=${value}\n`);
    });
    break;
  case 'check': {
    // steady state: every layer serves from one data center
    const dcs = new Set([state['db.primary'], state['cache.master'], state['rules.hz-shards'], state['mq.active'], state['lb.active']]);
    if (dcs.size !== 1) { console.error(`split estate: ${[...dcs].join(', ')}`); process.exit(1); }
    console.log([...dcs][0]);
    break;
  }
  case 'reset':
    save({ ...DEFAULTS });
    break;
  default:
    console.error('usage: estate.mjs get KEY | set KEY VALUE | check | reset');
    process.exit(2);
}
