import type { Command } from 'commander';
import { loadBuiltinRegistry } from '../../kinds/builtin.js';
import { loadPlugins } from '../../kinds/load-plugins.js';
import type { KindRegistry } from '../../kinds/registry.js';
import { hasErrors } from '../../util/diagnostic.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { ExitCode, usageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { renderExplain } from '../output/explain-kind.js';
import { envelope } from '../output/json.js';

interface KindsFlags {
  readonly plugin?: string[];
}

/** The built-in kinds plus --plugin modules' (a bad plugin is a usage error naming it). */
async function kindRegistry(plugins: readonly string[]): Promise<KindRegistry> {
  const base = await loadBuiltinRegistry();
  if (plugins.length === 0) return base;
  const { registry, diagnostics } = await loadPlugins(
    base,
    plugins.map((p) => ({ specifier: p, baseDir: process.cwd(), at: { file: '--plugin', line: 0, column: 0 } })),
  );
  if (hasErrors(diagnostics)) throw usageError(diagnostics.map((d) => `--plugin ${d.message}`).join('; '));
  return registry;
}

/** drctl kinds: every step kind with its one-line description (the same text editors show for `kind:`). */
export async function kindsCommand(io: CliIO, flags: KindsFlags, _cmd: Command): Promise<ExitCode> {
  const registry = await kindRegistry(flags.plugin ?? []);
  const kinds = registry.names().flatMap((name) => {
    const k = registry.get(name);
    return k ? [{ name, description: k.description, reversible: typeof k.rollback === 'function', outputs: k.outputNames ?? [] }] : [];
  });
  if (io.json) {
    io.out(envelope('kinds', true, { kinds }));
    return ExitCode.ok;
  }
  const width = Math.max(...kinds.map((k) => k.name.length));
  for (const k of kinds) io.out(`${k.name.padEnd(width)}  ${k.description}`);
  io.out('');
  io.out('drctl explain KIND: its parameters');
  return ExitCode.ok;
}

/** drctl explain KIND: the kind's parameters (from its params schema: types, required, descriptions) and outputs. */
export async function explainCommand(io: CliIO, name: string, flags: KindsFlags, _cmd: Command): Promise<ExitCode> {
  const registry = await kindRegistry(flags.plugin ?? []);
  const kind = registry.get(name);
  if (!kind) {
    const hint = didYouMean(name, registry.names());
    throw usageError(`unknown kind "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`, 'list the kinds with `drctl kinds`');
  }
  if (io.json) {
    io.out(
      envelope('explain', true, {
        name: kind.name,
        description: kind.description,
        reversible: typeof kind.rollback === 'function',
        outputs: kind.outputNames ?? [],
        params: kind.paramsSchema,
      }),
    );
    return ExitCode.ok;
  }
  io.out(renderExplain(kind.name, kind.description, kind.paramsSchema, kind.outputNames ?? []));
  return ExitCode.ok;
}
