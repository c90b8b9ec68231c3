import type { Check } from './context.js';
import { checkDuplicateIds } from './duplicate-ids.js';
import { checkDurations } from './durations.js';
import { checkExclusiveClaims } from './exclusive-claims.js';
import { checkIrreversibleSteps } from './irreversible-steps.js';
import { checkFault } from './fault.js';
import { checkFaultReversible } from './fault-reversible.js';
import { checkKindParams } from './kind-params.js';
import { checkNeedsCycles } from './needs-cycles.js';
import { checkProbes } from './probes.js';
import { checkReferences } from './references.js';
import { checkScenarios } from './scenarios.js';
import { checkSchedule } from './schedule.js';
import { checkSqlQueryText } from './sql-query-text.js';
import { checkUnknownKinds } from './unknown-kinds.js';
import { checkUnknownNeeds } from './unknown-needs.js';

export { buildCheckContext, type Check, type CheckContext, type RawStep } from './context.js';

/** The static checks, in order. Each reads the (possibly schema-invalid) data leniently. */
export const RUNBOOK_CHECKS: readonly Check[] = [
  checkDuplicateIds,
  checkUnknownKinds,
  checkUnknownNeeds,
  checkNeedsCycles,
  checkKindParams,
  checkDurations,
  checkProbes,
  checkFault,
  checkFaultReversible,
  checkSchedule,
  checkReferences,
  checkSqlQueryText,
  checkIrreversibleSteps,
  checkExclusiveClaims,
  checkScenarios,
];
