import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAlive, pollFor, spawnDetached } from './process.js';
import { inNs } from './net.js';

/**
 * argv that runs the dc-app script: the compiled dist/lab/dc-app.js next to this module, or (when
 * running from sources under vitest/tsx) src/lab/dc-app.ts through tsx's loader.
 */
export function dcAppCommand(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const js = path.join(here, 'dc-app.js');
  if (existsSync(js)) return [process.execPath, js];
  const ts = path.join(here, 'dc-app.ts');
  const loader = findUp(here, path.join('node_modules', 'tsx', 'dist', 'loader.mjs'));
  if (!existsSync(ts) || loader === undefined) throw new Error(`dc app not found next to ${here}: run npm run build`);
  return [process.execPath, '--import', pathToFileURL(loader).href, ts];
}

function findUp(from: string, rel: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, rel);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export interface StartDcAppOptions {
  readonly dir: string;
  readonly dc: string;
  readonly port: number;
  readonly configPort: number;
  readonly key: string;
  /** Address to listen on, the config centre's, and the namespace to run in (netns mode; default loopback). */
  readonly host?: string;
  readonly configHost?: string;
  readonly ns?: string;
}

/** Start one data center's app (own session); resolves when it accepts connections. */
export async function startDcApp(o: StartDcAppOptions): Promise<{ pid: number; logFile: string }> {
  const logFile = path.join(o.dir, `dc-app-${o.dc}.log`);
  const host = o.host ?? '127.0.0.1';
  const where = [
    ...(o.host === undefined ? [] : ['--host', o.host]),
    ...(o.configHost === undefined ? [] : ['--config-host', o.configHost]),
  ];
  const pid = spawnDetached(
    inNs(o.ns, [
      ...dcAppCommand(),
      '--dc',
      o.dc,
      '--port',
      String(o.port),
      '--config-port',
      String(o.configPort),
      '--key',
      o.key,
      ...where,
    ]),
    { logFile, cwd: o.dir },
  );
  // ready = this very process answers as its data center: a port merely accepting connections could be
  // another server's (a port taken between the free-check and the bind), and the app would have died
  await pollFor(async () => {
    if (!isAlive(pid)) throw new Error(`dc app ${o.dc} exited at start (see ${logFile})`);
    return (await httpText(host, o.port, '/')) === o.dc;
  }, `dc app ${o.dc} on ${host}:${o.port} (see ${logFile})`);
  return { pid, logFile };
}

/** GET path on host:port: the body, or undefined when nothing answers within 2 s (polled while the app starts). */
function httpText(host: string, port: number, urlPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: urlPath, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body.trim()));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
