import { parseDuration } from '../../util/duration.js';
import { storeUrlProblem } from '../../rules/open-store.js';
import type { ProbeParams } from '../../probe/run-probe.js';
import { probeSchema } from '../../probe/schema.js';
import type { ParamProblem } from '../../model/kind.js';

export interface RulesFlipParams {
  /** "redis://127.0.0.1:7100[/prefix]" or "file:relative/path.json" (relative to the runbook). */
  readonly store: string;
  /** Topology YAML, relative to the runbook. */
  readonly topology: string;
  /** Data centers to evacuate: a list, or "hz-a,hz-b" (e.g. after ${params.cut} interpolation). */
  readonly cut?: readonly string[] | string;
  /** Fail back instead: move every shard to the zone the topology assigns it (same staged move). */
  readonly home?: boolean;
  /** Read-only check that data caught up (e.g. a replication-lag probe), polled while the shards are fenced. */
  readonly catchUp?: ProbeParams;
  /** How long to wait for catch-up before lifting the fence and failing (default 30s). */
  readonly catchUpTimeout?: string;
  /** Longest pause between catch-up checks (default 500ms; adaptive from 10 ms). */
  readonly catchUpInterval?: string;
}

export const rulesFlipSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['store', 'topology'],
  properties: {
    store: {
      type: 'string',
      description:
        'Rules store: redis://HOST:PORT[/DB][?prefix=P] (the grammar of --state), etcd://HOST:PORT[,HOST:PORT...][/PREFIX] or file:PATH.json (relative to the runbook).',
    },
    topology: { type: 'string', description: 'Topology YAML file (relative to the runbook).' },
    cut: { type: ['array', 'string'], items: { type: 'string' }, description: 'Data centers to cut: [hz-a, hz-b] or "hz-a,hz-b".' },
    home: { type: 'boolean', description: 'Fail back: move every shard to the zone the topology assigns it (instead of cut).' },
    catchUp: {
      ...probeSchema,
      description: 'Probe (exec, http, redis or sql) that passes once data has caught up; polled while the moving shards are write-fenced.',
    },
    catchUpTimeout: {
      type: 'string',
      description: 'Deadline for catch-up (default 30s); on expiry the fence is lifted and the old map stays.',
    },
    catchUpInterval: {
      type: 'string',
      description: 'Longest pause between catch-up checks (default 500ms): 10 ms after a check that did not pass, doubling up to it.',
    },
  },
} as const;

/** The cut as a sorted list: arrays as given, strings split on commas and spaces. */
export function cutList(cut: RulesFlipParams['cut']): readonly string[] {
  if (cut === undefined) return [];
  const items = typeof cut === 'string' ? cut.split(/[\s,]+/) : cut.map(String);
  return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))].sort();
}

export function durationMs(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : (parseDuration(text) ?? fallbackMs);
}

/** Static checks that need no file: store URL, durations, a non-empty cut. */
export function checkRulesFlipParams(p: RulesFlipParams): readonly ParamProblem[] {
  const problems: ParamProblem[] = [];
  const storeProblem = typeof p.store === 'string' ? storeUrlProblem(p.store) : undefined;
  if (storeProblem) problems.push({ path: ['store'], message: storeProblem });
  const interpolated = typeof p.cut === 'string' && p.cut.includes('${');
  if (p.home === true && p.cut !== undefined)
    problems.push({ path: ['home'], message: 'give either cut (evacuate) or home: true (fail back), not both' });
  else if (p.home !== true && !interpolated && cutList(p.cut).length === 0)
    problems.push({ path: ['cut'], message: 'cut names no data center (or set home: true to fail back)' });
  for (const key of ['catchUpTimeout', 'catchUpInterval'] as const) {
    const v = p[key];
    if (v !== undefined && !v.includes('${') && parseDuration(v) === undefined) {
      problems.push({ path: [key], message: `bad duration "${v}": use e.g. 500ms, 30s, 1m30s` });
    }
  }
  return problems;
}
