import { chmod, cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { drctl, ROOT, type CliResult } from './cli.js';
import { freeBasePort } from './lab-processes.js';
import { makeTmpDir } from './tmp-dir.js';

/**
 * A private lab on free ports in a temp folder, with its own copy of runbooks/lab. The lab runbooks name
 * the default ports (27100 + offset); the copy has every port rebased to this lab's base port, so a test
 * never collides with a lab someone already runs.
 */
export interface PrivateLab {
  readonly dir: string;
  readonly labDir: string;
  readonly base: number;
  /** Path of a runbook in the rebased copy of runbooks/lab. */
  book(name: string): string;
  cli(args: readonly string[]): Promise<CliResult>;
  /** What runs where, reduced to what a switch changes. */
  status(): Promise<LabView>;
  down(): Promise<void>;
}

export interface LabView {
  readonly masters: string[];
  readonly sentinelsAgree: boolean;
  readonly pg: string;
  readonly lb: Record<string, string>;
  readonly dns: string[];
  readonly middleware: string;
  /** The data center of the writable MariaDB member. */
  readonly mysql: string | null;
  /** Nginx upstream servers by data center: up / down / backup. */
  readonly nginx: Record<string, string>;
}

export const HOME: LabView = {
  masters: ['cache-a@hz-a', 'cache-b@hz-b'],
  sentinelsAgree: true,
  pg: 'hz-a',
  lb: { 'hz-a': 'ready', 'hz-b': 'ready', 'sh-a': 'maint', 'sh-b': 'maint', 'sz-a': 'maint' },
  dns: ['127.0.0.10'],
  middleware: 'hz-a',
  mysql: 'hz-a',
  nginx: { 'hz-a': 'up', 'hz-b': 'up', 'sh-a': 'down', 'sh-b': 'down', 'sz-a': 'down' },
};
/** After city-cut.yaml (PostgreSQL, HAProxy): MariaDB and Nginx stay home. */
export const SWITCHED: LabView = {
  ...HOME,
  masters: ['cache-a@sh-a', 'cache-b@sh-b'],
  pg: 'sh-a',
  lb: { 'hz-a': 'maint', 'hz-b': 'maint', 'sh-a': 'ready', 'sh-b': 'ready', 'sz-a': 'maint' },
  dns: ['127.0.0.20'],
  middleware: 'sh-a',
};
/** After city-cut-mysql.yaml (MariaDB, Nginx): PostgreSQL and HAProxy stay home. */
export const SWITCHED_MYSQL: LabView = {
  ...HOME,
  masters: ['cache-a@sh-a', 'cache-b@sh-b'],
  dns: ['127.0.0.20'],
  middleware: 'sh-a',
  mysql: 'sh-a',
  nginx: { 'hz-a': 'down', 'hz-b': 'down', 'sh-a': 'up', 'sh-b': 'up', 'sz-a': 'down' },
};

/**
 * openParent false keeps the temp folder 0700, as a clone under /root is: the postgres user cannot reach
 * the lab folder, so the lab puts PostgreSQL's data in a private folder under /tmp (DIR/pg links to it).
 */
export async function startPrivateLab(
  prefix: string,
  options: { openParent?: boolean; stateOnLabEtcd?: boolean; netns?: boolean } = {},
): Promise<PrivateLab> {
  const tmp = await makeTmpDir(prefix);
  if (options.openParent ?? true) await chmod(tmp.dir, 0o755); // PostgreSQL's data then lives in the lab folder itself
  const base = await freeBasePort();
  const labDir = path.join(tmp.dir, 'lab');
  const books = path.join(tmp.dir, 'runbooks');
  await cp(path.join(ROOT, 'runbooks/lab'), books, { recursive: true });
  for (const f of (await readdir(books)).filter((x) => x.endsWith('.yaml'))) {
    const text = await readFile(path.join(books, f), 'utf8');
    await writeFile(
      path.join(books, f),
      text.replace(/\b271(\d\d)\b/g, (_, off: string) => String(base + Number(off))),
    );
  }
  // stateOnLabEtcd: DRCTL_STATE names the lab's own etcd cluster (known from the base port before `lab up` starts it)
  const etcdState = `etcd://${[72, 73, 74].map((o) => `127.0.0.1:${base + o}`).join(',')}/drctl`;
  const env: Record<string, string> = { DRCTL_STATE: options.stateOnLabEtcd ? etcdState : path.join(tmp.dir, 'state') };
  const cli = (args: readonly string[]) => drctl(args, { env });
  // netns: drctl lab up --netns (root): each data center on its own address, hz-a and hz-b in namespaces of their own
  const up = await cli(['lab', 'up', '--dir', labDir, '--base-port', String(base), ...(options.netns ? ['--netns'] : [])]);
  if (up.exitCode !== 0) {
    await tmp.cleanup();
    throw new Error(`lab up failed (${up.exitCode}): ${up.stderr}`);
  }
  // the MariaDB users' generated password, as a user exports it for city-cut-mysql.yaml (a secret: from the environment)
  env['DRCTL_LAB_MYSQL_PASSWORD'] = (await readFile(path.join(labDir, 'mariadb-password'), 'utf8')).trim();
  return {
    dir: tmp.dir,
    labDir,
    base,
    cli,
    book: (name) => path.join(books, name),
    async status() {
      const r = await cli(['lab', 'status', '--dir', labDir, '--json']);
      const s = JSON.parse(r.stdout).result;
      return {
        masters: s.redis.map((g: { group: string; masterDc: string }) => `${g.group}@${g.masterDc}`),
        sentinelsAgree: s.redis.every(
          (g: { master: string; sentinelViews: string[] }) => g.sentinelViews.length === 3 && g.sentinelViews.every((v) => v === g.master),
        ),
        pg: s.pgPrimary.dc,
        lb: Object.fromEntries(s.haproxy.map((h: { server: string; state: string }) => [h.server, h.state])),
        dns: s.dns.answer,
        middleware: s.middlewareActiveDc,
        mysql: s.mysql.primary.dc,
        nginx: Object.fromEntries(s.nginx.map((n: { server: string; state: string }) => [n.server, n.state])),
      };
    },
    async down() {
      await cli(['lab', 'down', '--dir', labDir]);
      await tmp.cleanup();
    },
  };
}
