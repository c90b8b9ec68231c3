import { documentSchema, versionResult } from './envelope.js';
import { eventsSchema } from './events.js';
import { assessmentResult } from './assessment.js';
import { inspectionResult, leverRecord, recordSchema, respondResult, scenariosResult } from './catalog.js';
import type { Schema } from './parts.js';
import {
  explainResult,
  historyResult,
  kindsResult,
  labResult,
  planResult,
  rehearsePreviewResult,
  rulesResult,
  schemaListResult,
  statusResult,
  unlockResult,
  validateResult,
} from './results.js';
import { reportResult } from './report-result.js';

/**
 * Every published schema of drctl's output, by name: `drctl schema NAME` prints it, runbooks/schema/FILE
 * is its committed copy. A new document command joins by adding its result schema here (under the
 * command names it answers for) and writing its output through the envelope (cli/output/json.ts).
 */
export interface PublishedSchema {
  readonly file: string;
  /** The commands whose --json output it describes (`run` etc. for the event stream). */
  readonly commands: readonly string[];
  readonly schema: Schema;
  /** What prints it, when more than `COMMAND --json` (rehearse --dry-run --json). */
  readonly usage?: string;
}

const doc = (name: string, commands: readonly string[], result: Schema, description: string): PublishedSchema => ({
  file: `${name}.v1.schema.json`,
  commands,
  schema: documentSchema(name, commands, result, description),
});

export const DOCUMENT_SCHEMAS: Readonly<Record<string, PublishedSchema>> = {
  validate: doc('validate', ['validate'], validateResult, 'Every file checked, and every problem as a diagnostic with file:line:column.'),
  plan: doc(
    'plan',
    ['plan', 'run', 'drill'],
    planResult,
    "What each step would change (plan; run/drill --dry-run), the DAG's layers, critical path and predicted duration.",
  ),
  status: doc('status', ['status'], statusResult, 'Runs in progress, resumable runs, and every lock.'),
  history: doc('history', ['history'], historyResult, 'Past runs, the RTO trends of rehearsals, regressions.'),
  report: doc(
    'report',
    ['report'],
    reportResult,
    "A run's report: why it failed, steps, checks (with their phase), budgets, rollbacks, a rehearsal's RTO.",
  ),
  version: doc('version', ['version'], versionResult, 'drctl --version --json: the versions of everything drctl reads and writes.'),
  kinds: doc('kinds', ['kinds'], kindsResult, 'The step kinds.'),
  explain: doc('explain', ['explain'], explainResult, 'One step kind: its description, params schema and outputs.'),
  'rehearse-preview': {
    ...doc(
      'rehearse-preview',
      ['rehearse'],
      rehearsePreviewResult,
      'rehearse --dry-run: the schedule verdict, checks once each, the fault target, the plan, a predicted RTO.',
    ),
    usage: 'rehearse --dry-run --json',
  },
  schema: {
    ...doc(
      'schema',
      ['schema'],
      schemaListResult,
      'schema --list --json: the published schemas (drctl schema NAME prints one, a JSON Schema itself).',
    ),
    usage: 'schema --list --json',
  },
  unlock: doc('unlock', ['unlock'], unlockResult, 'The lock removed (or none).'),
  lab: doc('lab', ['lab up', 'lab down', 'lab status'], labResult, 'The local lab.'),
  rules: doc(
    'rules',
    ['rules show', 'rules route', 'rules diff', 'rules flip', 'rules init', 'rules unfence', 'rules rollback'],
    rulesResult,
    'The routing rules.',
  ),
  scenarios: doc(
    'scenarios',
    ['scenarios'],
    scenariosResult,
    'The catalog of recovery plans: each scenario, the data centers it loses and the runbooks (with params) that answer it.',
  ),
  assess: doc(
    'assess',
    ['assess'],
    assessmentResult,
    'Which failure scopes the estate survives now, with which plan, at what cost; level and score. ok: false when there is a finding (exit 1).',
  ),
  inspect: doc(
    'inspect',
    ['inspect'],
    inspectionResult,
    'The inspection recorded: checks, plans, saved plans, the assessment, the lever and paused runbooks, findings and drift. ok: false when there is a finding (exit 1).',
  ),
  respond: {
    ...doc(
      'respond',
      ['respond'],
      respondResult,
      "respond --dry-run: the scenario chosen for the loss and each of its runbooks' plan with the scenario's params (respond --yes --json streams each run's events: events.v1).",
    ),
    usage: 'respond --dry-run --json',
  },
  lever: {
    ...doc(
      'lever',
      ['lever'],
      leverRecord,
      "lever engage | release | status: the safety lever's record ({ engaged: false } alone: never engaged).",
    ),
    usage: 'lever engage, lever release, lever status --json',
  },
  events: { file: 'events.v1.schema.json', commands: ['run', 'drill', 'rehearse', 'resume', 'rollback', 'respond'], schema: eventsSchema },
};

/** Records kept as files of their own, not enveloped (assess -o FILE; an inspection in the state store): same parts as their documents. */
export const RECORD_SCHEMAS: Readonly<Record<string, { readonly file: string; readonly what: string; readonly schema: Schema }>> = {
  assessment: {
    file: 'assessment.schema.json',
    what: "an assessment (assess -o FILE; assess --json's result)",
    schema: recordSchema('assessment-v1', 'drctl assessment', assessmentResult),
  },
  inspection: {
    file: 'inspection.schema.json',
    what: "an inspection record (inspect --json's result; drctl report ID)",
    schema: recordSchema('inspection-v1', 'drctl inspection', inspectionResult),
  },
};
