/**
 * What every command's --help ends with: examples and its exit codes (the README's table, per command);
 * the program's help lists the environment variables. One place, so help and README agree.
 */
interface HelpText {
  readonly examples: readonly string[];
  readonly exit: string;
}

const RUN_EXIT =
  '0 succeeded · 1 a step, check, verification or budget failed · 2 --dry-run: changes pending · 3 bad input · 4 refused (no --yes without a terminal, stale --plan) · 6 another run holds the lock · 130 interrupted';

export const HELP: Readonly<Record<string, HelpText>> = {
  validate: {
    examples: ['drctl validate runbooks/*.yaml', 'drctl validate topology.yaml --json'],
    exit: '0 every file valid · 3 a problem (each as file:line:column)',
  },
  schema: {
    examples: ['drctl schema > runbook.schema.json', 'drctl schema topology', 'drctl schema --list', 'drctl schema report'],
    exit: '0 · 3 unknown schema name',
  },
  plan: {
    examples: [
      'drctl plan city-cut.yaml',
      'drctl plan city-cut.yaml --diff',
      'drctl plan city-cut.yaml -o plan.json && drctl run city-cut.yaml --plan plan.json',
      'drctl plan city-cut.yaml --json',
    ],
    exit: '0 nothing to change · 2 changes pending · 1 a step could not be observed · 3 bad input',
  },
  run: {
    examples: [
      'drctl run city-cut.yaml',
      'drctl run city-cut.yaml --yes --set cut=[hz-a,hz-b]',
      'drctl run city-cut.yaml --yes --json > run.ndjson',
    ],
    exit: RUN_EXIT,
  },
  drill: {
    examples: ['drctl drill city-cut.yaml --yes', 'drctl drill city-cut.yaml --dry-run'],
    exit: `${RUN_EXIT} · 5 SKIPPED: the safety lever is engaged`,
  },
  rehearse: {
    examples: ['drctl rehearse city-cut.yaml --yes', 'drctl rehearse city-cut.yaml --dry-run', 'drctl rehearse city-cut.yaml --ack RUN_ID'],
    exit: '0 SUCCEEDED (--dry-run: ready; --ack: acknowledged) · 1 FAILED · 3 bad input · 4 refused · 5 SKIPPED by the schedule, the safety lever, or paused after a failed rehearsal · 6 another run holds the lock · 130 INTERRUPTED (restored and failed back)',
  },
  status: { examples: ['drctl status', 'drctl status --json', 'drctl --state redis://10.0.0.5:6379 status'], exit: '0 · 3 bad --state' },
  history: {
    examples: ['drctl history -n 10', 'drctl history --runbook city-cut --json'],
    exit: '0 (also on an RTO regression) · 3 bad --state',
  },
  report: {
    examples: [
      'drctl report RUN_ID',
      'drctl report RUN_ID --format junit -o drill.xml',
      'drctl report RUN_ID --format html -o drill.html',
      'drctl report RUN_ID --json',
    ],
    exit: '0 · 1 the run record cannot be read · 3 unknown run or bad flags',
  },
  resume: {
    examples: ['drctl resume RUN_ID --yes', 'drctl resume RUN_ID --assume-applied lb'],
    exit: '0 done · 1 a step failed · 3 unknown run · 4 refused (changed runbook, damaged journal, unobservable in-flight step) · 6 lock held · 130 interrupted',
  },
  rollback: {
    examples: ['drctl rollback RUN_ID --yes'],
    exit: '0 undone · 1 an undo failed · 3 unknown run · 4 refused · 6 lock held · 130 interrupted',
  },
  unlock: {
    examples: ['drctl unlock city-cut', 'drctl unlock city-cut --force'],
    exit: '0 removed (or nothing to remove) · 3 bad input · 4 without --force: the holder is shown, nothing removed',
  },
  kinds: { examples: ['drctl kinds', 'drctl kinds --json', 'drctl kinds --plugin ./kinds/my-kinds.js'], exit: '0 · 3 a bad --plugin' },
  explain: { examples: ['drctl explain redis.failover', 'drctl explain exec --json'], exit: '0 · 3 unknown kind' },
  rules: {
    examples: [
      'drctl rules show --topology topology.yaml',
      'drctl rules route 12345666 --topology topology.yaml --json',
      'drctl rules flip --cut hz-a,hz-b --store redis://127.0.0.1:7100 --catch-up \'["./caught-up.sh"]\' --yes',
      'drctl rules diff @previous @current --store redis://127.0.0.1:7100',
    ],
    exit: '0 done (flip --dry-run: no moves) · 1 failed (a store with no rules) · 2 flip --dry-run: moves pending · 3 bad input (a store whose shard count differs) · 4 refused (no --yes without a terminal, a fence its live owner holds, a conflicting version)',
  },
  lab: {
    examples: ['drctl lab up', 'drctl lab status --json', 'drctl lab down'],
    exit: '0 · 1 a server failed to start (lab status: not running) · 3 bad --dir or ports · 4 a lab is already running or its ports are busy',
  },
  scenarios: {
    examples: ['drctl scenarios runbooks/lab', 'drctl scenarios runbooks/ --json'],
    exit: '0 · 3 bad input (an invalid runbook, scenario names that do not fit the topology)',
  },
  assess: {
    examples: [
      'drctl assess runbooks/lab --set labDir=.lab',
      'drctl assess runbooks/ --scope hz-a,sh-b',
      'drctl assess runbooks/ --format html -o assessment.html',
    ],
    exit: '0 every scope survivable within budget · 1 a finding · 3 bad input',
  },
  inspect: {
    examples: ['drctl inspect runbooks/', 'drctl inspect runbooks/ --plan plan.json --json'],
    exit: '0 clean · 1 findings · 3 bad input',
  },
  respond: {
    examples: [
      'drctl respond --lost hz-a,hz-b runbooks/ --dry-run',
      'drctl respond --lost hz runbooks/ --yes',
      'drctl respond --lost sh-a runbooks/ --scenario sh-a-down --yes',
    ],
    exit: `${RUN_EXIT} (the first non-zero of its runbooks) · 3 also: NO PLAN for the loss, or two scenarios answer it equally`,
  },
  lever: {
    examples: ['drctl lever engage --reason "storage maintenance in sh-b"', 'drctl lever status --json', 'drctl lever release'],
    exit: '0 · 3 engage without --reason, bad --state',
  },
  completion: { examples: ['source <(drctl completion bash)', 'drctl completion zsh > "${fpath[1]}/_drctl"'], exit: '0 · 3 unknown shell' },
};

export function helpAfter(name: string): string | undefined {
  const h = HELP[name];
  if (!h) return undefined;
  return `\nExamples:\n${h.examples.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes: ${h.exit}`;
}

export const ENVIRONMENT_HELP = `
Environment:
  DRCTL_STATE=DIR|URL       the state store (--state)
  DRCTL_YES=1               confirm without asking (--yes) for run, drill, rehearse, respond, resume, rollback, rules
  DRCTL_PARAM_<NAME>=VALUE  a runbook param (YAML value), below --set and --params-file
  DRCTL_LEASE=DURATION      lock lease (--lease)
  DRCTL_TOPOLOGY, DRCTL_RULES_STORE   the rules commands' --topology and --store
  DRCTL_ETCD_PASSWORD       password of an etcd:// URL that names a user without one
  DRCTL_DEBUG=1             stacks and causes of errors (--debug)
  NO_COLOR / FORCE_COLOR    colours off / on (--no-color / --color)
  CI                        set: never interactive (plain progress, no prompts)

Exit codes: 0 ok · 1 failed · 2 changes pending (plan) · 3 bad input · 4 refused · 5 skipped (rehearse, drill: the schedule, the safety lever, a pause) · 6 lock held · 130 interrupted
Run drctl COMMAND --help for a command's examples and exit codes.`;
