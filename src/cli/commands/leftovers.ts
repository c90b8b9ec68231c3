import type { RecordedCommand } from '../../model/replay.js';
import { describeLeftovers, stopLeftoverCommands } from '../../engine/leftover-commands.js';
import type { CliIO } from '../io.js';

/** resume / rollback, under the run's lock and about to act: stop and name the commands an earlier controller left running. */
export async function stopLeftovers(io: CliIO, commands: readonly RecordedCommand[]): Promise<void> {
  const found = await stopLeftoverCommands(commands);
  if (found.length > 0) io.err(`stopped ${found.length} command(s) the run's earlier controller left running, before acting: ${describeLeftovers(found)}`);
}
