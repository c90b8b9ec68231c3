import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Message {
  readonly id?: number;
  readonly method?: string;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
}

/**
 * A minimal Language Server Protocol client over stdio (Content-Length framing): requests, notifications,
 * answers to the server's own requests (workspace/configuration), and waiting for a notification.
 */
export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  private readonly notes: Message[] = [];
  private readonly waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
  stderr = '';
  /** Set when the server process ended (or could not start): every request and wait after that fails at once. */
  private ended: Error | undefined;

  constructor(
    command: string,
    args: readonly string[],
    private readonly settings: (section: string | undefined) => unknown,
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => this.read(d));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.stdin.on('error', () => undefined); // a write after the server died: its exit says why
    this.child.on('error', (e) => this.end(new Error(`${command} ${args.join(' ')} could not start: ${e.message}`)));
    this.child.on('exit', (code, signal) =>
      this.end(new Error(`the language server exited (${signal ?? code}); stderr: ${this.stderr.slice(-500)}`)),
    );
  }

  /** A server that is gone fails what waits on it, loudly, instead of leaving it to a time limit. */
  private end(e: Error): void {
    this.ended ??= e;
    for (const done of this.pending.values()) done({ error: this.ended.message });
    this.pending.clear();
    for (const w of this.waiters.splice(0)) w.reject(this.ended);
  }

  private read(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, head).toString())?.[1]);
      if (this.buffer.length < head + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(head + 4, head + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(head + 4 + length);
      this.dispatch(msg);
    }
  }

  private dispatch(m: Message): void {
    if (m.id !== undefined && m.method === undefined) {
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
    } else if (m.id !== undefined && m.method !== undefined) {
      // a request from the server: its configuration, or anything else answered with null
      const items = (m.params as { items?: { section?: string }[] } | undefined)?.items ?? [];
      this.send({
        jsonrpc: '2.0',
        id: m.id,
        result: m.method === 'workspace/configuration' ? items.map((i) => this.settings(i.section)) : null,
      });
    } else {
      this.notes.push(m);
      for (const w of [...this.waiters])
        if (w.match(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
    }
  }

  private send(m: object): void {
    const body = Buffer.from(JSON.stringify(m), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result as T)));
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The first notification (already received or to come) that matches; rejects after `ms`. */
  waitFor(match: (m: Message) => boolean, what: string, ms = 30_000): Promise<Message> {
    const seen = this.notes.find(match);
    if (seen) return Promise.resolve(seen);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; stderr: ${this.stderr.slice(-500)}`)), ms);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 5000))]);
      this.notify('exit', null);
    } finally {
      if (this.child.pid !== undefined && this.child.exitCode === null) this.child.kill('SIGTERM');
    }
  }
}
