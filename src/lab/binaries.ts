import { existsSync } from 'node:fs';
import path from 'node:path';
import { labEnv } from './run.js';
import { labFailed } from './errors.js';

export const LAB_BINARIES = [
  'redis-server',
  'redis-sentinel',
  'redis-cli',
  'haproxy',
  'named',
  'named-checkconf',
  'tsig-keygen',
  'nsupdate',
  'initdb',
  'pg_ctl',
  'pg_basebackup',
  'pg_rewind',
  'etcd',
  'mariadbd',
  'mariadb-install-db',
  'mariadb',
  'mariadb-admin',
  'nginx',
] as const;

/** Throw one message listing every missing server binary and how to install them. */
export function assertLabBinaries(): void {
  const dirs = (labEnv().PATH ?? '').split(':');
  const missing = LAB_BINARIES.filter((b) => !dirs.some((d) => existsSync(path.join(d, b))));
  if (missing.length > 0) {
    throw labFailed(`lab servers not installed (missing ${missing.join(', ')}): run bin/install-lab-deps.sh`);
  }
}
