import { EVENT_SCHEMA_VERSION } from '../../model/events.js';
import { JOURNAL_SCHEMA_VERSION } from '../../model/records.js';
import { PLAN_SCHEMA_VERSION } from '../../plan/types.js';
import { REPORT_SCHEMA_VERSION } from '../../report/build-report.js';
import { drctlVersion } from '../version.js';
import { envelope, JSON_SCHEMA_VERSION } from './json.js';

/** `drctl --version`: the version, or with --json the versions of everything drctl reads and writes. */
export function versionDocument(json: boolean): string {
  if (!json) return drctlVersion();
  return envelope('version', true, {
    drctl: drctlVersion(),
    node: process.version,
    runbookApiVersion: 'drctl/v1',
    schemaVersions: {
      documents: JSON_SCHEMA_VERSION,
      events: EVENT_SCHEMA_VERSION,
      journal: JOURNAL_SCHEMA_VERSION,
      report: REPORT_SCHEMA_VERSION,
      plan: PLAN_SCHEMA_VERSION,
    },
  });
}
