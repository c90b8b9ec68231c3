import { InvalidArgumentError, Option, type Command } from 'commander';
import { positiveInt } from '../options.js';
import { storeUrlProblem } from '../../rules/store-url.js';
import type { CliIO, SetExit } from '../io.js';

type Flags = Record<string, unknown>;

/** Each subcommand as a function returning its exit code; modules load only when the command runs. */
export const rulesActions = {
  show: async (io: CliIO, flags: Flags) => (await import('./rules/show.js')).rulesShow(io, flags as never),
  route: async (io: CliIO, userId: string, flags: Flags) => (await import('./rules/route.js')).rulesRoute(io, userId, flags as never),
  diff: async (io: CliIO, a: string, b: string, flags: Flags) => (await import('./rules/diff.js')).rulesDiff(io, a, b, flags as never),
  flip: async (io: CliIO, flags: Flags) => (await import('./rules/flip.js')).rulesFlip(io, flags as never),
  watch: async (io: CliIO, flags: Flags) => (await import('./rules/watch.js')).rulesWatch(io, flags as never),
  init: async (io: CliIO, flags: Flags) => (await import('./rules/init.js')).rulesInit(io, flags as never),
  unfence: async (io: CliIO, flags: Flags) => (await import('./rules/unfence.js')).rulesUnfence(io, flags as never),
  rollback: async (io: CliIO, version: number, flags: Flags) =>
    (await import('./rules/rollback.js')).rulesRollback(io, version, flags as never),
} as const;

const topologyOption = (): Option =>
  new Option('--topology <file>', 'topology YAML (cities → data centers → zones, shards, partners)')
    .env('DRCTL_TOPOLOGY')
    .default('topology.yaml');
const storeOption = (what: string): Option =>
  new Option(
    '--store <url>',
    `rules store: redis://HOST:PORT[/DB][?prefix=P], etcd://HOST:PORT[,HOST:PORT...][/PREFIX] or file:PATH.json (${what})`,
  )
    .env('DRCTL_RULES_STORE')
    .argParser(storeUrl);
const storeUrl = (value: string): string => {
  const problem = storeUrlProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
};
const dcList = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const version = positiveInt('a version', { at: true });
const count = positiveInt('a count of changes');
const catchUpOptions = (c: Command, what: string): Command =>
  c
    .option(
      '--catch-up <command>',
      `command that exits 0 once data caught up, polled while the moving shards are fenced; shell-quoted words (no shell is run) or a JSON array: '["sh","-c","…"]'`,
    )
    .option(
      '--no-catch-up',
      `${what} without waiting for data to catch up (one of --catch-up / --no-catch-up is required when shards move)`,
    )
    .option(
      '--catch-up-timeout <duration>',
      'give up waiting for catch-up after this long (default 30s): the fence is lifted, the old map stays',
    );

/** drctl rules show|route|diff|flip|watch|init|unfence|rollback — the multi-active routing rules. */
export function registerRulesCommand(program: Command, io: CliIO, setExit: SetExit): void {
  const rules = program.command('rules').description('multi-active routing rules: which zone owns which user shard, and the safe flip');
  rules
    .command('show')
    .description('the map per zone and per data center, with load versus capacity')
    .addOption(topologyOption())
    .addOption(storeOption("default: the topology file's own map"))
    .action(async (flags: Flags) => setExit(await rulesActions.show(io, flags)));
  rules
    .command('route')
    .description('user id → shard (userId mod shardCount) → zone → data center')
    .argument('<user-id>')
    .addOption(topologyOption())
    .addOption(storeOption("default: the topology file's own map"))
    .action(async (userId: string, flags: Flags) => setExit(await rulesActions.route(io, userId, flags)));
  rules
    .command('diff')
    .description('shards that change owner from map A to map B')
    .argument('<a>')
    .argument('<b>')
    .addOption(new Option('--topology <file>', 'topology to label zones with data centers').env('DRCTL_TOPOLOGY'))
    .addOption(storeOption('for @N references'))
    .addHelpText('after', `\n${DIFF_HELP_TEXT}`)
    .action(async (a: string, b: string, flags: Flags) => setExit(await rulesActions.diff(io, a, b, flags)));
  const flip = rules
    .command('flip')
    .description('move the shards of cut data centers to their partners: fence → catch-up → flip → unfence')
    .requiredOption('--cut <dc[,dc...]>', 'data centers to evacuate (comma-separated or repeated)', dcList)
    .addOption(topologyOption())
    .addOption(storeOption('required'))
    .option('--dry-run', 'show the moves only; exit 2 if there are any, 0 if none')
    .option('-y, --yes', 'do not ask (required without a terminal)');
  catchUpOptions(flip, 'flip').action(async (flags: Flags) => setExit(await rulesActions.flip(io, flags)));
  rules
    .command('watch')
    .description('print every change of the rules as it is published (one line each; --json: NDJSON)')
    .addOption(storeOption('required'))
    .option('--count <n>', 'exit after n changes', count)
    .action(async (flags: Flags) => setExit(await rulesActions.watch(io, flags)));
  rules
    .command('init')
    .description("publish a topology's own map into a store as its first version")
    .addOption(topologyOption())
    .addOption(storeOption('required'))
    .option('--force', 'replace rules already in the store')
    .option('-y, --yes', 'do not ask (with --force, required without a terminal)')
    .action(async (flags: Flags) => setExit(await rulesActions.init(io, flags)));
  rules
    .command('unfence')
    .description('lift a write fence left behind by a crashed flip (break-glass)')
    .addOption(storeOption('required'))
    .option('-y, --yes', 'do not ask (required without a terminal)')
    .action(async (flags: Flags) => setExit(await rulesActions.unfence(io, flags)));
  const rollback = rules
    .command('rollback')
    .description('restore the exact map of an earlier version (as a new version): fence → catch-up → flip → unfence')
    .requiredOption('--to <version>', 'version whose map to restore (e.g. the one before a flip)', version)
    .addOption(storeOption('required'))
    .option('-y, --yes', 'do not ask (required without a terminal)');
  catchUpOptions(rollback, 'roll back').action(async (flags: Flags) =>
    setExit(await rulesActions.rollback(io, flags['to'] as number, flags)),
  );
}

const DIFF_HELP_TEXT = `A and B name maps:
  @N           version N of --store (every version is kept)
  @current     the store's current version
  @previous    the last version whose map differs from @current's: the map before the last flip,
               rollback or fail-back (fence and unfence versions do not change the map)
  FILE.yaml    a topology file's own map (also labels zones with their data centers)
  FILE.json    a file store's current version
Exit 0 whether or not they differ (the output says).`;
