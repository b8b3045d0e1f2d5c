// Reading a text/event-stream: the parser (the SSE wire format: id, event, data, retry and
// comment lines) and the reconnect delay. Pure, so the hook in useLiveEvents stays small.

export interface SseEvent { id: string | null; type: string; data: string }

/** Feeds chunks of the stream and returns the whole events they complete. */
export class SseParser {
  private buf = '';
  private data: string[] = [];
  private type = '';
  /** The last id seen (an event's, or a lone `id:` line): what Last-Event-ID resumes from. */
  lastId: string | null = null;
  private eventId: string | null = null;

  feed(chunk: string): SseEvent[] {
    this.buf += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.buf.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(this.buf.startsWith('\r\n', nl) ? nl + 2 : nl + 1);
      if (line === '') {
        if (this.data.length) out.push({ id: this.eventId, type: this.type || 'message', data: this.data.join('\n') });
        this.data = [];
        this.type = '';
        this.eventId = null;
        continue;
      }
      if (line.startsWith(':')) continue; // a comment: the heartbeat
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.type = value;
      else if (field === 'id' && !value.includes('\0')) { this.lastId = value; this.eventId = value; }
    }
    return out;
  }
}

/** Milliseconds before reconnect attempt `n` (0-based): 1 s doubling to 30 s, with jitter. */
export function reconnectDelay(n: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(n, 5));
  return Math.round(base * (0.75 + 0.5 * random()));
}
