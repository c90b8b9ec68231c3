import type { ServerEdit, UpstreamServerState } from '../../infra/nginx-upstream.js';
import type { ProbeView } from '../haproxy-servers/params.js';

export interface NginxUpstreamParams {
  /** The include file holding the upstream's servers (relative to the runbook's folder). */
  readonly file: string;
  /** The upstream block's name in the file (needed when it holds several; absent: the only one, or the file is its body). */
  readonly upstream?: string;
  /** nginx's prefix (-p) and main config (-c, relative to the prefix as nginx reads it): every nginx command names them. */
  readonly prefix: string;
  readonly conf: string;
  /** -e: the error log nginx writes while it starts (nginx 1.19.5+). Absent: nginx's compiled-in one. */
  readonly errorLog?: string;
  /** The master's pid file (default: the `pid` of the main config, relative to the prefix; else logs/nginx.pid). */
  readonly pidFile?: string;
  /** The nginx binary (default nginx on PATH, /usr/sbin). */
  readonly binary?: string;
  /** signal: `nginx -s reload` (default); hup: SIGHUP to the master pid. */
  readonly reload?: 'signal' | 'hup';
  readonly servers?: Readonly<Record<string, ServerEdit>>;
  readonly up?: readonly string[];
  readonly down?: readonly string[];
  readonly backup?: readonly string[];
  /** Verify through the frontend: GET url `samples` times; every answer must be one of expect. */
  readonly probe?: { readonly url: string; readonly expect: string | readonly string[]; readonly samples?: number };
  /** stub_status URL: observe says whether nginx answers and how many connections it holds. */
  readonly status?: string;
  /** Timeout of nginx -t, of the wait for the reload, and of one probe or status request (default 5s). */
  readonly commandTimeout?: string;
  /** Where each server lives (address as written → data center): what drctl assess weighs against the lost ones. */
  readonly dcs?: Readonly<Record<string, string>>;
}

export interface NginxServerView {
  readonly state: UpstreamServerState;
  readonly weight: number;
}

export interface StubStatus {
  readonly active: number;
  readonly requests: number;
}

export interface NginxUpstreamState {
  readonly file: string;
  readonly upstream: string | null;
  /** The file's content (rollback puts it back); absent in a desired state. */
  readonly content?: string;
  readonly servers: Readonly<Record<string, NginxServerView>>;
  /** The master's pid when it runs, null when not. */
  readonly master: number | null;
  readonly status?: StubStatus | { readonly error: string };
  readonly probe?: ProbeView;
  /** Only in a desired state: every probe answer must be one of these. */
  readonly expectProbe?: readonly string[];
}

const stateSchema = { type: 'string', enum: ['up', 'down', 'backup'] };
const listSchema = (what: string) => ({
  type: 'array',
  items: { type: 'string' },
  description: `Server addresses (as written in the file) to set ${what}.`,
});

export const nginxUpstreamSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['file', 'prefix', 'conf'],
  properties: {
    file: { type: 'string', description: "The include file holding the upstream's servers (rewritten atomically, mode and owner kept)." },
    upstream: { type: 'string', description: 'Upstream block name (when the file holds several).' },
    prefix: { type: 'string', description: "nginx -p: the estate's prefix." },
    conf: { type: 'string', description: 'nginx -c: the main config (relative to the prefix, as nginx reads it).' },
    errorLog: { type: 'string', description: 'nginx -e: the start-up error log (relative to the prefix).' },
    pidFile: { type: 'string', description: "The master's pid file (default: the main config's pid, else logs/nginx.pid)." },
    binary: { type: 'string', description: 'The nginx binary (default nginx).' },
    reload: { type: 'string', enum: ['signal', 'hup'], description: 'signal: nginx -s reload (default); hup: SIGHUP to the master.' },
    servers: {
      type: 'object',
      description: 'Server address → wanted state (up, down, backup) and/or weight.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { state: stateSchema, weight: { type: 'integer', minimum: 1 } },
      },
    },
    up: listSchema('up (neither down nor backup)'),
    down: listSchema('down'),
    backup: listSchema('backup'),
    probe: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'expect'],
      description: 'Verify: GET url samples times (a new connection each, up to 10 at once); every answer must be one of expect.',
      properties: {
        url: { type: 'string' },
        expect: {
          oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
          description: 'Accepted response bodies (trimmed).',
        },
        samples: { type: 'integer', minimum: 1, maximum: 1000, description: 'Requests per check (default 10).' },
      },
    },
    status: { type: 'string', description: 'stub_status URL, read by observe.' },
    commandTimeout: { type: 'string', description: 'Timeout of nginx -t, of the reload, and of one probe request (default 5s).' },
    dcs: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Where each server lives: address → data center (drctl assess checks the servers to bring up survive).',
    },
  },
} as const;

/** servers + up/down/backup lists as one map. */
export function wantedServers(p: NginxUpstreamParams): Record<string, ServerEdit> {
  const out: Record<string, ServerEdit> = {};
  for (const [addr, w] of Object.entries(p.servers ?? {})) out[addr] = { ...w };
  const lists: [UpstreamServerState, readonly string[] | undefined][] = [
    ['up', p.up],
    ['down', p.down],
    ['backup', p.backup],
  ];
  for (const [state, addrs] of lists) for (const a of addrs ?? []) out[a] = { ...out[a], state };
  return out;
}
