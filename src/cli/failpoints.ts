import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A named place where a test can hold the process (and kill it there). */
export type Failpoint = (name: string) => Promise<void>;

const noFailpoint: Failpoint = async () => undefined;

/**
 * Test-only crash points (as etcd's gofail): with DRCTL_FAILPOINTS=DIR, reaching point NAME writes
 * DIR/at.NAME (this process's pid) and waits while DIR/hold.NAME exists — so an end-to-end test can
 * SIGKILL the CLI exactly between two journal records. Without the variable it does nothing.
 */
export function failpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Failpoint {
  const dir = env['DRCTL_FAILPOINTS'];
  if (!dir) return noFailpoint;
  return async (name) => {
    await writeFile(path.join(dir, `at.${name}`), `${process.pid}\n`);
    while (existsSync(path.join(dir, `hold.${name}`))) await new Promise((r) => setTimeout(r, 20));
  };
}
