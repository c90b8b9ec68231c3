import type { ServerAdminState, ServerView } from './runtime-api.js';

export interface ServerWant {
  readonly state?: ServerAdminState;
  readonly weight?: number;
}

export interface HaproxyServersParams {
  /** Unix socket path of `stats socket ... level admin`, or host:port for a TCP admin socket. */
  readonly socket: string;
  readonly backend: string;
  readonly servers?: Readonly<Record<string, ServerWant>>;
  readonly ready?: readonly string[];
  readonly drain?: readonly string[];
  readonly maint?: readonly string[];
  /** Check traffic through the frontend lands on the intended servers. */
  readonly probe?: { readonly url: string; readonly expect: string | readonly string[]; readonly samples?: number };
  /** Timeout of one runtime-API command or probe request (default 2s). */
  readonly commandTimeout?: string;
  /** Where each server lives (server name → data center): what drctl assess weighs against the lost ones. */
  readonly dcs?: Readonly<Record<string, string>>;
}

export interface ProbeView {
  /** Answer body (the server's name for the lab apps) → count. */
  readonly seen: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly lastError?: string;
}

export interface HaproxyServersState {
  readonly backend: string;
  readonly servers: Readonly<Record<string, ServerView>>;
  readonly probe?: ProbeView;
  /** Only in a desired state: every probe answer must be one of these. */
  readonly expectProbe?: readonly string[];
  /** Servers in a lost data center (ctx.lost): set as asked, but not waited for to come UP. */
  readonly lostServers?: readonly string[];
}

const stateSchema = { type: 'string', enum: ['ready', 'drain', 'maint'] };
const listSchema = (what: string) => ({ type: 'array', items: { type: 'string' }, description: `Servers to set ${what}.` });

export const haproxyServersSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['socket', 'backend'],
  properties: {
    socket: {
      type: 'string',
      description: 'Runtime API: unix socket path (stats socket ... level admin), or host:port of a TCP admin socket.',
    },
    backend: { type: 'string', description: 'Backend name.' },
    servers: {
      type: 'object',
      description: 'Server name → wanted admin state and/or weight.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { state: stateSchema, weight: { type: 'integer', minimum: 0, maximum: 256 } },
      },
    },
    ready: listSchema('ready'),
    drain: listSchema('drain (no new sessions)'),
    maint: listSchema('in maintenance'),
    probe: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'expect'],
      description: 'Verify: GET url samples times (a new connection each, up to 10 at once); every answer must be one of expect.',
      properties: {
        url: { type: 'string' },
        expect: {
          oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
          description: 'Accepted response bodies (trimmed), e.g. the data center names.',
        },
        samples: { type: 'integer', minimum: 1, maximum: 1000, description: 'Requests per check (default 10).' },
      },
    },
    commandTimeout: { type: 'string', description: 'Timeout of one runtime-API command or probe request (default 2s).' },
    dcs: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Where each server lives: server name → data center (drctl assess checks the servers to make ready survive).',
    },
  },
} as const;

/** servers + ready/drain/maint lists as one map. */
export function wantedServers(p: HaproxyServersParams): Record<string, ServerWant> {
  const out: Record<string, ServerWant> = {};
  for (const [name, w] of Object.entries(p.servers ?? {})) out[name] = { ...w };
  const lists: [ServerAdminState, readonly string[] | undefined][] = [
    ['ready', p.ready],
    ['drain', p.drain],
    ['maint', p.maint],
  ];
  for (const [state, names] of lists) for (const n of names ?? []) out[n] = { ...out[n], state };
  return out;
}
