import { Option, type Command } from 'commander';
import { DrctlError, ExitCode, isDrctlError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';
import type { SetExit } from '../io.js';
import { positiveInt } from '../options.js';
import { outOption, writeDocument } from '../output/document.js';
import { rerunInNetns } from './lab-netns.js';

interface LabFlags {
  readonly dir: string;
  readonly basePort?: number;
  readonly netns?: boolean;
}

/** drctl lab up|down|status: the local estate of real servers (lab.md). */
export function registerLabCommand(program: Command, io: CliIO, setExit: SetExit): void {
  const lab = program
    .command('lab')
    .description('a local lab of real servers on loopback: Redis+Sentinel, PostgreSQL, MariaDB, HAProxy, Nginx, BIND9, etcd');
  const dirOption = () => new Option('--dir <dir>', 'the lab folder (state, logs, lab.json)').env('DRCTL_LAB_DIR').default('.lab');
  lab
    .command('up')
    .description('start the three-city, five-data-center estate (refuses if one runs)')
    .addOption(dirOption())
    .option('--base-port <port>', 'first port; the lab uses base..base+80', positiveInt('--base-port'))
    .option(
      '--netns',
      'each data center on its own address, hz-a and hz-b in network namespaces of their own (root): a cut can drop packets (fault.link)',
    )
    .action(async (flags: LabFlags) => setExit(await guard(() => labUpAction(io, flags))));
  lab
    .command('down')
    .description('stop every lab process by its pid')
    .addOption(dirOption())
    .action(async (flags: LabFlags) => setExit(await guard(() => labDownAction(io, flags))));
  lab
    .command('link-runbook')
    .description(
      "a lab runbook rewritten for this --netns lab: each address → its data center's, the fault → fault.link (packets dropped), connect/node timeouts 2s",
    )
    .argument('<runbook>', 'a runbook of runbooks/lab, e.g. city-cut.yaml')
    .addOption(dirOption())
    .addOption(outOption('write it there (beside the runbook: its relative files stay found) instead of stdout'))
    .option('--timeout <duration>', 'connectTimeout / nodeTimeout / queryTimeout of every step', '2s')
    .option('--no-lost', "drop the fault's dcs: the switch then waits on the cut side (a contrast)")
    .action(async (runbook: string, flags: LinkRunbookFlags) => setExit(await guard(() => linkRunbookAction(io, runbook, flags))));
  lab
    .command('status')
    .description('what runs where, and which node is primary for each service')
    .addOption(dirOption())
    .action(async (flags: LabFlags) => setExit(await guard(() => labStatusAction(io, flags))));
}

async function labUpAction(io: CliIO, flags: LabFlags): Promise<ExitCode> {
  const { labUp, makeNetnsLab, abandonNetnsLab, insideNetns, netnsNet, DEFAULT_BASE_PORT } = await import('../../lab/index.js');
  if (flags.netns && !insideNetns(netnsNet(flags.basePort ?? DEFAULT_BASE_PORT).core ?? '')) {
    const core = await makeNetnsLab(flags);
    io.err(`made network namespaces ${core} (bridge), hz-a and hz-b; starting the lab inside ${core} ...`);
    const code = (await rerunInNetns(core)) as ExitCode;
    if (code !== ExitCode.ok) await abandonNetnsLab(flags); // failed before lab.json named the namespaces
    return code;
  }
  io.err(`starting the lab in ${flags.dir} ...`);
  const state = await labUp({
    dir: flags.dir,
    ...(flags.basePort === undefined ? {} : { basePort: flags.basePort }),
    ...(flags.netns ? { netns: true } : {}),
  });
  const { publishLabRules } = await import('./lab-rules.js');
  const rulesStore = await publishLabRules(state.configCentre);
  io.err(`published the lab routing rules to ${rulesStore}`);
  if (io.json) io.out(envelope('lab up', true, state));
  else io.out(`lab up in ${state.dir}: ${state.processes.length} processes on ports ${state.basePort}+ (drctl lab status)`);
  return ExitCode.ok;
}

async function labDownAction(io: CliIO, flags: LabFlags): Promise<ExitCode> {
  const { labDown } = await import('../../lab/index.js');
  const stopped = await labDown(flags.dir);
  if (io.json) io.out(envelope('lab down', true, { stopped }));
  else
    io.out(stopped.length === 0 ? `no lab process running in ${flags.dir}` : `stopped ${stopped.length} processes: ${stopped.join(', ')}`);
  return ExitCode.ok;
}

interface LinkRunbookFlags extends LabFlags {
  readonly out?: string;
  readonly timeout: string;
  readonly lost: boolean;
}

async function linkRunbookAction(io: CliIO, runbook: string, flags: LinkRunbookFlags): Promise<ExitCode> {
  const { readFile } = await import('node:fs/promises');
  const { loadLabState } = await import('../../lab/index.js');
  const { linkRunbook } = await import('../../lab/link-runbook.js');
  const { parseDuration } = await import('../../util/duration.js');
  if (parseDuration(flags.timeout) === undefined)
    throw new DrctlError('bad-flag', ExitCode.invalidInput, `--timeout ${flags.timeout}: not a duration (e.g. 2s)`);
  const state = await loadLabState(flags.dir);
  if (!state) throw new DrctlError('no-lab', ExitCode.invalidInput, `--dir ${flags.dir}: no lab.json there (drctl lab up --netns first)`);
  let text: string;
  try {
    text = await readFile(runbook, 'utf8');
  } catch (e) {
    throw new DrctlError('bad-path', ExitCode.invalidInput, `${runbook}: ${(e as Error).message}`);
  }
  const out = linkRunbook(text, state, { timeout: flags.timeout, keepDcs: flags.lost, file: runbook });
  await writeDocument(io, flags.out, out); // -o into a missing folder: exit 3, the flag named
  // its addresses are the namespaces' bridge: reachable only from inside the lab's core namespace
  const written = flags.out === undefined || flags.out === '-' ? 'FILE' : flags.out;
  const { resolve } = await import('node:path');
  io.err(
    `run it inside the lab's core namespace: ip netns exec ${state.net?.core ?? ''} drctl rehearse ${written} --yes --set labDir=${resolve(flags.dir)}`,
  );
  return ExitCode.ok;
}

async function labStatusAction(io: CliIO, flags: LabFlags): Promise<ExitCode> {
  const { labStatus, loadLabState, insideNetns, netnsExists } = await import('../../lab/index.js');
  const core = (await loadLabState(flags.dir))?.net?.core;
  // a netns lab is asked from inside its core namespace (gone namespace: nothing runs, asked from here)
  if (core !== undefined && netnsExists(core) && !insideNetns(core)) return (await rerunInNetns(core)) as ExitCode;
  const { renderLabStatus } = await import('../output/lab-status.js');
  const status = await labStatus(flags.dir);
  if (io.json) io.out(envelope('lab status', true, status));
  else io.out(renderLabStatus(status));
  return status.running ? ExitCode.ok : ExitCode.failed;
}

/**
 * The lab throws typed errors for what a user can cause (a lab already running, busy ports: exit 4; bad
 * folder: 3); a server that fails to start is a failed lab (exit 1), one line, no stack.
 */
async function guard(fn: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await fn();
  } catch (e) {
    if (isDrctlError(e) || !(e instanceof Error)) throw e;
    throw new DrctlError('lab-failed', ExitCode.failed, e.message);
  }
}
