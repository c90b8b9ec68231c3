import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { canConnect } from './ports.js';
import { pollFor, spawnDetached } from './process.js';

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
}

/** Start one data center's app (own session); resolves when it accepts connections. */
export async function startDcApp(o: StartDcAppOptions): Promise<{ pid: number; logFile: string }> {
  const logFile = path.join(o.dir, `dc-app-${o.dc}.log`);
  const pid = spawnDetached(
    [...dcAppCommand(), '--dc', o.dc, '--port', String(o.port), '--config-port', String(o.configPort), '--key', o.key],
    { logFile, cwd: o.dir },
  );
  await pollFor(() => canConnect(o.port), `dc app ${o.dc} on 127.0.0.1:${o.port} (see ${logFile})`);
  return { pid, logFile };
}
