import path from 'node:path';
import { loadTopologyFile } from '../../../rules/load-topology.js';
import { openRuleStore } from '../../../rules/open-store.js';
import { shardCountProblem } from '../../../rules/shard-map.js';
import { RULES_STORE_FORMS } from '../../../rules/store-url.js';
import type { RuleStore, RuleVersion } from '../../../rules/store.js';
import type { Topology } from '../../../rules/topology.js';
import { DrctlError, ExitCode, isDrctlError, usageError } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { envelope } from '../../output/json.js';

export interface TopologyFlag {
  readonly topology: string;
}
export interface StoreFlag {
  readonly store?: string | undefined;
}

/** Load and validate the topology; problems become a DrctlError carrying the diagnostics (exit 3). */
export async function loadTopologyOrThrow(file: string, io: CliIO): Promise<Topology> {
  const loaded = await loadTopologyFile(path.resolve(file)).catch((e: unknown) => {
    // the file is the --topology flag's (default topology.yaml here): say so, not only the path
    if (isDrctlError(e) && e.code === 'file-not-found') {
      throw new DrctlError(e.code, e.exitCode, `--topology ${file}: ${e.message}`, {
        hint: 'pass --topology FILE or set DRCTL_TOPOLOGY (the default is topology.yaml in the current folder)',
      });
    }
    throw e;
  });
  for (const d of loaded.diagnostics.filter((x) => x.severity === 'warning')) {
    if (!io.json) io.err(`${path.relative(process.cwd(), d.file) || d.file}:${d.line}:${d.column}: warning: ${d.message}`);
  }
  if (loaded.topology) return loaded.topology;
  throw new DrctlError('topology-invalid', ExitCode.invalidInput, `${file} is not a valid topology`, { diagnostics: loaded.diagnostics });
}

export function requireStore(flags: StoreFlag): string {
  if (!flags.store) throw usageError('--store is required here', `pass --store ${RULES_STORE_FORMS} (or set DRCTL_RULES_STORE)`);
  return flags.store;
}

/** Open the store, run fn, always close. An unreachable store is a one-line error (exit 1). */
export async function withRuleStore<T>(url: string, fn: (store: RuleStore) => Promise<T>): Promise<T> {
  let store: RuleStore;
  try {
    store = await openRuleStore(url, process.cwd());
  } catch (e) {
    if (isDrctlError(e)) throw e;
    throw new DrctlError('store-unreachable', ExitCode.failed, (e as Error).message, { cause: e });
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The rules published in `url`, checked against the topology used to read them: a store holding no
 * rules (or a file that does not exist) is an error (exit 1), and so is a store whose shard count
 * differs from the topology's (exit 3): user ids would land on different shards.
 */
export async function readPublished(url: string, topology: Topology): Promise<RuleVersion> {
  const rules = await withRuleStore(url, (s) => s.read());
  if (!rules) {
    throw new DrctlError(
      'rules-not-initialized',
      ExitCode.failed,
      `${url} holds no rules yet${url.startsWith('file:') ? ' (or the file does not exist)' : ''}`,
      {
        hint: 'publish the topology: drctl rules init --topology FILE --store URL',
      },
    );
  }
  const mismatch = shardCountProblem(topology, rules.map, `${url} version ${rules.version}`);
  if (mismatch)
    throw new DrctlError('rules-topology-mismatch', ExitCode.invalidInput, mismatch, {
      hint: 'pass the --topology the rules were published from',
    });
  return rules;
}

/**
 * Run one subcommand: its ExitCode on success. Under --json an expected failure is still one JSON
 * document ({ok: false, error}) naming the subcommand; otherwise errors go up to main.ts.
 */
export async function runSubcommand(io: CliIO, command: string, fn: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await fn();
  } catch (e) {
    if (!io.json || !isDrctlError(e)) throw e;
    io.out(envelope(command, false, null, e.diagnostics, { code: e.code, message: e.message, hint: e.hint }));
    return e.exitCode;
  }
}

export const printJson = (io: CliIO, command: string, result: unknown, ok = true): void => io.out(envelope(command, ok, result));

/** Left-aligned columns for small tables. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}
