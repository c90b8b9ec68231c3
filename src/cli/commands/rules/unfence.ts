import { renderFence } from '../../../rules/fence.js';
import { describeOwner, ownerLiveness } from '../../../rules/fence-owner.js';
import { liftFence } from '../../../rules/restore.js';
import { DrctlError, ExitCode } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { printJson, requireStore, runSubcommand, withRuleStore, type StoreFlag } from './common.js';
import { confirmed, type Confirm } from './confirm.js';

/** Break-glass: lift a fence left by a crashed flip (it names the owner, and warns when it still runs). */
export function rulesUnfence(io: CliIO, flags: StoreFlag & Confirm): Promise<ExitCode> {
  return runSubcommand(io, 'rules unfence', () =>
    withRuleStore(requireStore(flags), async (store) => {
      const current = await store.read();
      if (!current?.fence) {
        if (io.json) printJson(io, 'rules unfence', { changed: false });
        else io.out('no fence is set');
        return ExitCode.ok;
      }
      const fence = current.fence;
      const live = ownerLiveness(fence.owner, fence.atIso, Date.now());
      if (live.state === 'live' && !io.json)
        io.err(
          `warning: the owner of this fence may still be running (${live.why}): lifting it lets writes reach shards that are still moving`,
        );
      const what = `lift the fence on shards ${renderFence(fence, current.map.owners.length)} held by "${fence.by}" (${describeOwner(fence.owner)})`;
      if (!(await confirmed(io, flags, what))) return ExitCode.refused;
      const r = await liftFence(store);
      if (r && !r.ok)
        throw new DrctlError(
          'rules-conflict',
          ExitCode.refused,
          `the rules changed meanwhile (now version ${r.currentVersion}); nothing written`,
        );
      if (io.json) printJson(io, 'rules unfence', { changed: true, version: r?.version });
      else io.out(`fence lifted (version ${r?.version ?? current.version})`);
      return ExitCode.ok;
    }),
  );
}
