// Server-sent events read as their bytes arrive. From a response httpFetch answered, each
// event is handed over inside the socket's own 'data' callback (liveChunks): the first token
// of a streamed answer reaches the gateway's caller without a web stream, async generators or
// a promise per chunk in between (README, "Speed"). Any other response is read through its
// `body`. Parsing follows the SSE format as the official SDKs read it: lines end with \n, \r
// or \r\n, `:` starts a comment, a blank line ends an event, several `data:` lines join with
// \n, and an event the body ends inside is dropped.

import { StringDecoder } from 'node:string_decoder';
import { liveChunks, type HttpAnswer } from './http-fetch.js';

export interface SseEvent {
  /** The `event:` field; null when the event named none. */
  event: string | null;
  data: string;
}

/**
 * A line, or an event's data, longer than this is a broken provider, not a token (streamed
 * events carry deltas of a few bytes to a few KiB); without a bound a stream that never ends
 * its line would grow without end.
 */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/** Splits decoded text into lines and lines into events. */
export class SseParser {
  private rest = '';
  private event: string | null = null;
  /** The event's data lines so far, joined with \n; null before its first. */
  private data: string | null = null;
  private dataChars = 0;
  private readonly decoder = new StringDecoder('utf8');
  // One per parser, not one per chunk (a regex literal in feed() would be a new object each call).
  private readonly lineEnd = /\r\n|\r|\n/g;

  /** `onResumable` hears of each `id:` or `retry:` field (the server means the stream to be resumable). */
  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onResumable?: () => void,
  ) {}

  feed(bytes: Buffer | Uint8Array): void {
    const text = this.rest + this.decoder.write(bytes as Buffer);
    const lineEnd = this.lineEnd;
    // `rest` holds no line end but perhaps a \r last: only that and the new text are searched,
    // so a long line arriving in many chunks is scanned once, not once per chunk.
    lineEnd.lastIndex = Math.max(0, this.rest.length - 1);
    let start = 0;
    for (let m = lineEnd.exec(text); m !== null; m = lineEnd.exec(text)) {
      // A \r last in the chunk may be the first half of \r\n: wait for the next chunk.
      if (m[0] === '\r' && m.index === text.length - 1) break;
      this.line(text.slice(start, m.index));
      start = m.index + m[0].length;
    }
    this.rest = text.slice(start);
    if (this.rest.length > MAX_SSE_EVENT_CHARS) throw new Error(`the provider's event stream sent a line of over ${MAX_SSE_EVENT_CHARS} characters`);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.event === null && this.data === null) return;
      const event = { event: this.event, data: this.data ?? '' };
      this.event = null;
      this.data = null;
      this.dataChars = 0;
      this.onEvent(event);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.addData(value);
    else if (field === 'id' || field === 'retry') this.onResumable?.();
  }

  private addData(value: string): void {
    this.dataChars += value.length + 1;
    if (this.dataChars > MAX_SSE_EVENT_CHARS) throw new Error(`the provider's event stream sent an event of over ${MAX_SSE_EVENT_CHARS} characters`);
    this.data = this.data === null ? value : `${this.data}\n${value}`;
  }
}

/**
 * Calls `onEvent` for each event of a streamed response as it arrives; resolves when the body
 * ends, rejects when it breaks off, is aborted, or `onEvent` throws (which also stops reading
 * and frees the connection).
 */
export function readSseEvents(response: HttpAnswer, onEvent: (event: SseEvent) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let over = false;
    let failed = false;
    let stop: (() => void) | undefined;
    const fail = (err: unknown) => {
      if (over) return;
      over = true;
      failed = true;
      stop?.();
      reject(err);
    };
    const parser = new SseParser((event) => {
      if (!over) onEvent(event);
    });
    const sink = {
      chunk(bytes: Buffer | Uint8Array) {
        if (over) return;
        try {
          parser.feed(bytes);
        } catch (err) {
          fail(err);
        }
      },
      end(err?: unknown) {
        if (err !== undefined) return fail(err);
        if (over) return;
        over = true;
        resolve();
      },
    };
    const live = liveChunks(response, sink);
    if (live) {
      stop = () => live.cancel();
      // Chunks that arrived before the subscription were parsed inside liveChunks().
      if (failed) stop();
    } else readBody(response, sink, (cancel) => (stop = cancel));
  });
}

/** Any other response: its body, through the web stream. */
function readBody(response: HttpAnswer, sink: { chunk(b: Uint8Array): void; end(err?: unknown): void }, onCancel: (cancel: () => void) => void): void {
  const body = response.body;
  if (!body) {
    sink.end(new Error('the streamed response has no body'));
    return;
  }
  const reader = body.getReader();
  onCancel(() => void reader.cancel().catch(() => {}));
  const pump = (): Promise<void> =>
    reader.read().then(({ done, value }) => {
      if (done) return sink.end();
      sink.chunk(value);
      return pump();
    });
  pump().catch((err: unknown) => sink.end(err));
}
