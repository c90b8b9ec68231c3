import type { AbstractConnector } from 'ioredis';
import type { Duplex } from 'node:stream';

const PATCHED = Symbol.for('drctl.redisDisconnect');

/**
 * ioredis (6.0.0, pinned) disconnects by ending the stream and arming a timer (disconnectTimeout, 2 s)
 * that a 'close' event clears. A stream already closed (a refused or reset connection) never emits
 * 'close' again, so the timer held a short-lived CLI open for 2 s after its last line (a run whose
 * readiness probe was refused ended 2 s late). A closed stream is left alone here; an open one is
 * disconnected as before. Done once per process (loadIoredis).
 */
export function patchDisconnect(ConnectorClass: typeof AbstractConnector): void {
  const proto = ConnectorClass.prototype as unknown as { disconnect(): void; [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  const original = proto.disconnect;
  proto.disconnect = function (this: { stream?: Duplex & { closed?: boolean }; connecting: boolean }): void {
    if (this.stream && (this.stream.destroyed || this.stream.closed)) {
      this.connecting = false;
      return;
    }
    original.call(this);
  };
}
