/**
 * The servers of one nginx `upstream` block in an include file, read and edited line by line so that
 * everything else in the file (comments, other directives, spacing) stays as written. Each `server`
 * directive must sit on one line (`server ADDR [params];`, optionally followed by a # comment); a file
 * is either the upstream's body (included inside `upstream NAME { ... }`) or holds the block itself.
 */

export type UpstreamServerState = 'up' | 'down' | 'backup';

export interface UpstreamServer {
  /** The address as written: 127.0.0.1:8080, app1.internal:80, unix:/run/app.sock. */
  readonly addr: string;
  readonly state: UpstreamServerState;
  /** weight=N (nginx's default 1). */
  readonly weight: number;
  /** 0-based line of the directive. */
  readonly line: number;
}

export interface ParsedUpstream {
  /** The block's name, or null when the file is a body (no `upstream` line). */
  readonly name: string | null;
  readonly servers: readonly UpstreamServer[];
}

export interface ServerEdit {
  readonly state?: UpstreamServerState;
  readonly weight?: number;
}

const SERVER_RE = /^(\s*)server\s+(\S+)((?:\s+[^;#\s]+)*)\s*;(.*)$/;
const UPSTREAM_RE = /^\s*upstream\s+(\S+)\s*\{/;

/** Parse the servers of `upstream` (or of the only block / the body). Throws an Error naming the line for what it cannot read. */
export function parseUpstream(text: string, upstream?: string): ParsedUpstream {
  const lines = text.split('\n');
  const blocks = lines.flatMap((l, i) => {
    const m = UPSTREAM_RE.exec(stripComment(l));
    return m ? [{ name: m[1] ?? '', line: i }] : [];
  });
  let name: string | null = null;
  let from = 0;
  let to = lines.length;
  if (blocks.length > 0) {
    const block = upstream === undefined ? (blocks.length === 1 ? blocks[0] : undefined) : blocks.find((b) => b.name === upstream);
    if (!block) {
      const names = blocks.map((b) => b.name).join(', ');
      throw new Error(
        upstream === undefined
          ? `the file has ${blocks.length} upstream blocks (${names}): name one with upstream`
          : `no upstream "${upstream}" in the file (it has ${names})`,
      );
    }
    name = block.name;
    from = block.line + 1;
    to = blockEnd(lines, block.line);
    const open = stripComment(lines[block.line] ?? '');
    const close = stripComment(lines[to] ?? '');
    const inside = [open.slice(open.indexOf('{') + 1), ...(to === block.line ? [] : [close.slice(0, close.lastIndexOf('}'))])];
    if (inside.some((t) => /\bserver\s/.test(t))) {
      throw new Error(
        `line ${(/\bserver\s/.test(inside[0] ?? '') ? block.line : to) + 1}: put each server directive of upstream ${name} on its own line (drctl edits them line by line)`,
      );
    }
  }
  const servers: UpstreamServer[] = [];
  for (let i = from; i < to; i++) {
    const code = stripComment(lines[i] ?? '');
    if (!/^\s*server\b/.test(code)) continue;
    const m = SERVER_RE.exec(code);
    if (!m) throw new Error(`line ${i + 1}: a server directive drctl can edit is one line "server ADDR [params];"`);
    servers.push({ addr: m[2] ?? '', ...readParams(m[3] ?? '', i), line: i });
  }
  return { name, servers };
}

/** The text with each edited server's down/backup flag and weight set; other params, comments and lines unchanged. */
export function editUpstream(text: string, upstream: string | undefined, edits: Readonly<Record<string, ServerEdit>>): string {
  const parsed = parseUpstream(text, upstream);
  const lines = text.split('\n');
  for (const [addr, edit] of Object.entries(edits)) {
    const s = parsed.servers.find((x) => x.addr === addr);
    if (!s) throw new Error(`no server ${addr} in upstream ${parsed.name ?? '(file)'}`);
    lines[s.line] = editLine(lines[s.line] ?? '', edit);
  }
  return lines.join('\n');
}

function editLine(line: string, edit: ServerEdit): string {
  const comment = commentOf(line);
  const m = SERVER_RE.exec(line.slice(0, line.length - comment.length)) as RegExpExecArray;
  const indent = m[1] ?? '';
  const addr = m[2] ?? '';
  const params = (m[3] ?? '').trim().split(/\s+/).filter(Boolean);
  const state = edit.state;
  const kept = params.filter(
    (p) => !(state !== undefined && (p === 'down' || p === 'backup')) && !(edit.weight !== undefined && p.startsWith('weight=')),
  );
  const added = [
    ...(edit.weight !== undefined && edit.weight !== 1 ? [`weight=${edit.weight}`] : []),
    ...(state === 'down' || state === 'backup' ? [state] : []),
  ];
  const directive = `${indent}server ${[addr, ...kept, ...added].join(' ')};`;
  if (comment === '') return directive;
  // keep the comment in its column when the directive still fits before it
  const column = line.length - comment.trimStart().length;
  const gap = column - directive.length;
  return `${directive}${gap > 0 ? ' '.repeat(gap) : ' '}${comment.trimStart()}`;
}

function readParams(params: string, line: number): { state: UpstreamServerState; weight: number } {
  let state: UpstreamServerState = 'up';
  let weight = 1;
  for (const p of params.trim().split(/\s+/).filter(Boolean)) {
    if (p === 'down') state = 'down';
    else if (p === 'backup' && state !== 'down') state = 'backup';
    else if (p.startsWith('weight=')) {
      weight = Number(p.slice('weight='.length));
      if (!Number.isInteger(weight) || weight < 1) throw new Error(`line ${line + 1}: bad ${p}`);
    }
  }
  return { state, weight };
}

/** The line of the `}` closing the block that opens on line `open` (braces counted outside comments and quotes). */
function blockEnd(lines: readonly string[], open: number): number {
  let depth = 0;
  for (let i = open; i < lines.length; i++) {
    for (const ch of stripComment(lines[i] ?? '')) {
      if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) return i;
    }
  }
  throw new Error(`line ${open + 1}: the upstream block is not closed`);
}

const commentOf = (line: string): string => {
  const i = commentStart(line);
  return i < 0 ? '' : line.slice(i);
};
const stripComment = (line: string): string => {
  const i = commentStart(line);
  return i < 0 ? line : line.slice(0, i);
};

/** Index of a # that starts a comment (not inside quotes), with the whitespace before it; -1 when none. */
function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') {
      let j = i;
      while (j > 0 && /\s/.test(line[j - 1] ?? '')) j--;
      return j;
    }
  }
  return -1;
}
