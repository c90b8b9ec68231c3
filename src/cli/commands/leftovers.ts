import { describeLeftovers, stopLeftoverCommands } from '../../engine/leftover-commands.js';
import type { CliIO } from '../io.js';

/** resume / rollback under the run's lock: stop and name the commands an earlier controller left running. */
export async function stopLeftovers(io: CliIO, runId: string): Promise<void> {
  const found = await stopLeftoverCommands(runId);
  if (found.length > 0) io.err(`stopped ${found.length} command(s) the run's earlier controller left running, before deciding anything: ${describeLeftovers(found)}`);
}
