import type { SqlProbeSpec, Tolerance } from '../model/probe.js';
import { closePgClient } from '../util/pg-close.js';
import { isSecret } from '../util/secret.js';
import { bounded } from './bound.js';
import { errorOutcome, failureOutcome, okOutcome, type ProbeOutcome } from './outcome.js';
import { checkTolerance } from './tolerance.js';

const reveal = (v: unknown): string => (isSecret(v) ? v.reveal() : String(v));

/** The query: one string, or a list of lines (a long query in a runbook) joined with line breaks. */
const queryText = (q: unknown): string => (Array.isArray(q) ? q.map(reveal).join('\n') : reveal(q));
/** Bind values for $1, $2…: sent apart from the query text, so an interpolated value can never change the query. */
const bindValues = (a: unknown): unknown[] | undefined =>
  Array.isArray(a) ? a.map((v) => (v === null ? null : isSecret(v) ? v.reveal() : typeof v === 'string' ? v : String(v))) : undefined;

/**
 * Run one read-only query (connect + query + statement timeouts) and check it. Without expect.path
 * the value is the first column of the first row; with a path it is read from the rows array
 * (`[0].role`). A server-side SQL error is a failure (it answered); no answer is an error.
 */
export async function runSqlProbe(spec: SqlProbeSpec, expect: Tolerance, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  const port = Number(reveal(spec.port));
  const where = `sql ${reveal(spec.user)}@${reveal(spec.host)}:${port}`;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return errorOutcome(`${where}: bad port`);
  const { Client } = (await import('pg')).default; // loaded on first use
  const client = new Client({
    host: reveal(spec.host),
    port,
    user: reveal(spec.user),
    database: spec.database === undefined ? 'postgres' : reveal(spec.database),
    ...(spec.password === undefined ? {} : { password: reveal(spec.password) }),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  const work = (async (): Promise<ProbeOutcome> => {
    let connected = false;
    try {
      await client.connect();
      connected = true;
      const values = bindValues(spec.args);
      const res = await client.query({
        text: queryText(spec.query),
        rowMode: 'array' as const,
        ...(values === undefined ? {} : { values }),
      });
      const names = res.fields.map((f) => f.name);
      const rows = res.rows.map((row: unknown[]) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
      const value = expect.path === undefined ? res.rows[0]?.[0] : rows;
      const held = checkTolerance(expect, value, 'result');
      return held.ok
        ? okOutcome(JSON.stringify(expect.path === undefined ? value : rows.slice(0, 3)))
        : failureOutcome(`${where}: ${held.detail}`);
    } catch (e) {
      const err = e as Error & { code?: string; severity?: string };
      // a SQLSTATE from the server after connecting = it answered (wrongly); anything else = no usable answer
      if (connected && err.severity !== undefined) return failureOutcome(`${where}: ${err.message}`);
      return errorOutcome(`${where}: ${err.code ?? err.message}`);
    }
  })();
  return bounded(work, timeoutMs, signal, where, () => closePgClient(client));
}
