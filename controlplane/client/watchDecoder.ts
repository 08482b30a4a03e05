// Splits a watch response (chunked JSON, one event per line — upstream's streaming JSON framer)
// into events. Chunks end anywhere, so a partial line waits for the rest; a line that is not JSON
// is an error, never skipped.
import type { WatchEvent } from './types.ts';

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export class WatchDecoder {
  private pending = '';
  private readonly utf8 = new TextDecoder('utf-8');

  /** Feeds one chunk; returns the complete events it finished. Throws on a malformed line. */
  push(chunk: Buffer | Uint8Array): WatchEvent[] {
    // stream: true keeps a multi-byte character split across chunks intact.
    this.pending += this.utf8.decode(chunk, { stream: true });
    const events: WatchEvent[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).trim();
      this.pending = this.pending.slice(nl + 1);
      if (line !== '') events.push(parseEvent(line));
    }
    return events;
  }

  /** Called at end of stream: a trailing event without a newline is still an event. */
  end(): WatchEvent[] {
    const line = (this.pending + this.utf8.decode()).trim();
    this.pending = '';
    return line === '' ? [] : [parseEvent(line)];
  }
}

function parseEvent(line: string): WatchEvent {
  let ev: any;
  try {
    ev = JSON.parse(line);
  } catch (e) {
    throw new Error(`watch: malformed event line (${(e as Error).message}): ${line.slice(0, 200)}`);
  }
  if (!ev || !WATCH_TYPES.has(ev.type) || typeof ev.object !== 'object' || ev.object === null) {
    throw new Error(`watch: not a watch event: ${line.slice(0, 200)}`);
  }
  return ev as WatchEvent;
}
