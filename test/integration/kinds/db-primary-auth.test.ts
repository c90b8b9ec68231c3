import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dbPrimaryKind as kind, type DbPrimaryParams } from '../../../src/kinds/db-primary/index.js';
import { isStepError } from '../../../src/model/kind.js';
import { initPrimary, preparePgRoot, startPostgres } from '../../../src/lab/postgres.js';
import { Secret } from '../../../src/util/secret.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// One real PostgreSQL (trust for postgres), plus a role that must give a password: an hba line
// (scram-sha-256 for that role on 127.0.0.1) ahead of the trust lines, reloaded.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let port = 0;
let dir = '';
const PASSWORD = 'correct-horse';

async function sql(text: string): Promise<void> {
  const c = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    password: () => '',
    connectionTimeoutMillis: 5000,
  });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-pg-auth-');
  cleanup = tmp.cleanup;
  dir = tmp.dir;
  port = await freePort();
  const root = path.join(tmp.dir, 'pg');
  await preparePgRoot(root);
  const dataDir = path.join(root, 'hz-a');
  await initPrimary(dataDir, port, root);
  const hba = path.join(dataDir, 'pg_hba.conf');
  await writeFile(hba, `host all drctl_pw 127.0.0.1/32 scram-sha-256\n${await readFile(hba, 'utf8')}`);
  const pid = await startPostgres(dataDir, port, path.join(root, 'hz-a.log'));
  procs.add(pid, 'SIGINT', path.join(dataDir, 'postmaster.pid'));
  await sql(`set password_encryption = 'scram-sha-256'; create role drctl_pw login password '${PASSWORD}'`);
  await sql('select pg_reload_conf()');
}, 90_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const params = (member: Partial<DbPrimaryParams['members'][number]>): DbPrimaryParams => ({
  members: [{ name: 'pg-hz-a', dc: 'hz-a', host: '127.0.0.1', port, ...member }],
  expectDcs: ['hz-a'],
  connectTimeout: '3s',
});

async function failure(p: DbPrimaryParams): Promise<Error> {
  const ctx = makeKindContext({ timeoutMs: 10_000 });
  const e = await kind.observe(p, ctx).catch((x: unknown) => x);
  expect(ctx.signal.aborted).toBe(false);
  if (!(e instanceof Error)) throw new Error(`observe succeeded: ${JSON.stringify(e)}`);
  return e;
}

describe('db.primary authentication', () => {
  it('a wrong password fails the step (not retryable), naming the member, never as unreachable', async () => {
    const e = await failure(params({ user: 'drctl_pw', password: new Secret('wrong', 'PG_PASSWORD') }));
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect(e.message).toBe(
      `postgres pg-hz-a (127.0.0.1:${port}): authentication failed (password authentication failed for user "drctl_pw")`,
    );
  });

  it('no password against a role that needs one says so', async () => {
    const e = await failure(params({ user: 'drctl_pw' }));
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect(e.message).toBe(
      `postgres pg-hz-a (127.0.0.1:${port}): authentication failed: the server asks for a password and none is configured`,
    );
  });

  it('the right password reads the member', async () => {
    const s = await kind.observe(params({ user: 'drctl_pw', password: new Secret(PASSWORD, 'PG_PASSWORD') }), makeKindContext());
    expect(s.primary).toBe('pg-hz-a');
  });
});

describe('db.primary reads no PG* environment', () => {
  it('PGPASSWORD and a ~/.pgpass-style PGPASSFILE with the right password are not used', async () => {
    const passfile = path.join(dir, 'pgpass');
    await writeFile(passfile, `*:*:*:drctl_pw:${PASSWORD}\n`, { mode: 0o600 });
    vi.stubEnv('PGPASSWORD', PASSWORD);
    vi.stubEnv('PGPASSFILE', passfile);
    const e = await failure(params({ user: 'drctl_pw' }));
    expect(e.message).toContain('authentication failed: the server asks for a password and none is configured');
  });

  it('bad PGHOST, PGPORT, PGUSER, PGDATABASE, PGOPTIONS, PGREPLICATION, PGSSLMODE change nothing (fields and url members)', async () => {
    for (const [k, v] of Object.entries({
      PGHOST: '192.0.2.1',
      PGPORT: '1',
      PGUSER: 'nobody',
      PGDATABASE: 'nodb',
      PGOPTIONS: '-c nosuchsetting=1',
      PGREPLICATION: 'true',
      PGSSLMODE: 'require',
      PGSSLNEGOTIATION: 'direct',
      PGAPPNAME: 'x',
      PGCONNECT_TIMEOUT: '1',
    }))
      vi.stubEnv(k, v);
    const fields = await kind.observe(params({}), makeKindContext({ timeoutMs: 10_000 }));
    expect(fields.primary).toBe('pg-hz-a');
    // a url without user, database or password: drctl's defaults (postgres, postgres, none), not PGUSER/PGDATABASE/PGPASSWORD
    const url = await kind.observe(
      { ...params({}), members: [{ name: 'pg-hz-a', dc: 'hz-a', url: `postgres://127.0.0.1:${port}` }] },
      makeKindContext({ timeoutMs: 10_000 }),
    );
    expect(url.members[0]).toMatchObject({ name: 'pg-hz-a', role: 'primary' });
  });
});
