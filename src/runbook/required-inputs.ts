import type { Runbook } from './types.js';
import { collectReferences } from './interpolate.js';
import { DrctlError, ExitCode } from '../util/errors.js';

/**
 * Every ${env.X} / ${secret.X} the runbook uses must be set before a run starts: a switch must not
 * stop half-way because a credential was missing. Refuses (exit 3) naming each variable and its user.
 */
export function assertInputsPresent(runbook: Runbook, env: NodeJS.ProcessEnv = process.env): void {
  const sources: [string, unknown][] = [
    ...runbook.steps.map((s): [string, unknown] => [`step "${s.id}"`, s.with]),
    ...runbook.readiness.map((p): [string, unknown] => [`readiness check "${p.name}"`, p]),
    ...runbook.steadyState.map((p): [string, unknown] => [`steady-state check "${p.name}"`, p]),
  ];
  const missing = new Map<string, string[]>();
  for (const [where, value] of sources) {
    for (const ref of collectReferences(value)) {
      if ((ref.type === 'env' || ref.type === 'secret') && env[ref.name] === undefined) {
        const users = missing.get(ref.name) ?? [];
        if (!users.includes(where)) users.push(where);
        missing.set(ref.name, users);
      }
    }
  }
  if (missing.size === 0) return;
  const list = [...missing].map(([name, users]) => `${name} (used by ${users.join(', ')})`).join('; ');
  throw new DrctlError('inputs-missing', ExitCode.invalidInput, `environment variable(s) not set: ${list}; nothing was changed`, {
    hint: '${secret.X} and ${env.X} read the environment variable X',
  });
}
