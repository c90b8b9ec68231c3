import type { EngineEvent, EventListener } from '../../model/events.js';
import { eventLine } from './event-line.js';
import type { Style } from './style.js';

/** Line-per-event renderer for CI, cron and pipes: a timestamp and the event line, to stderr. */
export function createPlainRenderer(write: (line: string) => void, st: Style): EventListener {
  return (e: EngineEvent) => {
    const line = eventLine(e, st);
    if (line !== undefined) write(`${st.dim(e.at.slice(11, 23))} ${line}`);
  };
}
