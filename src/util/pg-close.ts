/** The part of a pg Client that closing it needs (structural: util does not import pg). */
export interface ClosablePgClient {
  end(): Promise<void>;
}

/** How long a closed client waits for the server's side of the goodbye before its socket is destroyed. */
export const PG_CLOSE_GRACE_MS = 1000;

/**
 * Close a pg Client without ever waiting on the server. pg's end() sends Terminate and resolves only
 * when the server closes its side: never while the server is frozen (the socket stays half-open, and
 * holds the process), and a connect() still pending when end() was called then never settles at all.
 * So the caller does not wait: a live server gets its clean goodbye, and a socket the server has not
 * closed within PG_CLOSE_GRACE_MS is destroyed (a timer that does not keep the process alive).
 */
export function closePgClient(client: ClosablePgClient): void {
  const stream = (client as { connection?: { stream?: { destroy(): void; destroyed?: boolean } } }).connection?.stream;
  const timer = setTimeout(() => stream?.destroy(), PG_CLOSE_GRACE_MS);
  timer.unref();
  client.end().then(
    () => clearTimeout(timer),
    () => stream?.destroy(),
  );
}
