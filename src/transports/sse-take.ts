// The event stream that answers a POST, read by mcp-route itself instead of the SDK transport.
// The transport pipes every response through two web streams (TextDecoderStream,
// EventSourceParserStream), validates each message with zod, and hands it over as an object
// that the proxy then serializes again: on a small `tools/call` that was most of run --url's
// JavaScript per call. Here the bytes go through the SSE parser the providers use, straight
// from the socket (liveChunks), and each event's data reaches the core as it came.
//
// The SDK keeps everything else: building the request, auth retries, session and protocol
// headers, and resumable streams. A stream whose first event carries an `id:` or `retry:`
// field (a server with an event store: the SDK reconnects with Last-Event-ID when such a
// stream breaks before its answer) is handed to the SDK whole, bytes already read included.
// Otherwise the SDK gets an answer without a body once the stream has ended (the same status
// and headers, no web Response made), which it reads as "the stream ended" (its
// onRequestStreamEnd): the same end the SDK reports itself for a stream that is not resumable.

import { answerWithBody, liveChunks, webHeaders, type HttpAnswer } from '../providers/http-fetch.js';
import { SseParser, type SseEvent } from '../providers/sse-events.js';

/**
 * Reads a POST's `text/event-stream` response, `onEvent` for each event, and resolves with
 * what the SDK transport should see (see above); undefined when the body is not one httpFetch
 * streams live (then the SDK reads it as before). `onBroken` hears why a stream broke off.
 */
export function takeEventStream(response: HttpAnswer, onEvent: (event: SseEvent) => void, onBroken: (err: unknown) => void): Promise<HttpAnswer> | undefined {
  let mode: 'first' | 'ours' | 'sdk' = 'first';
  /** Chunks before the first event: the SDK's, if that event says the stream is resumable. */
  let before: Buffer[] = [];
  let sdk: ReadableStreamDefaultController<Uint8Array> | undefined;
  let resolve!: (r: HttpAnswer) => void;
  const answered = new Promise<HttpAnswer>((r) => (resolve = r));
  const handOver = () => {
    mode = 'sdk';
    const chunks = before;
    before = [];
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        sdk = c;
        for (const chunk of chunks) c.enqueue(bytesOf(chunk));
      },
      cancel: () => live?.cancel(),
    });
    resolve(new Response(body, { status: response.status, statusText: response.statusText, headers: webHeaders(response) }));
  };
  const parser = new SseParser(
    (event) => {
      if (mode === 'sdk') return;
      mode = 'ours';
      onEvent(event);
    },
    () => mode === 'first' && handOver(),
  );
  let over = false;
  const finish = (err?: unknown) => {
    if (over) return;
    over = true;
    if (err !== undefined) onBroken(err);
    resolve(answerWithBody(response, null));
  };
  const live = liveChunks(response, {
    chunk(chunk) {
      if (mode === 'sdk') return sdk!.enqueue(bytesOf(chunk));
      if (over) return;
      if (mode === 'first') before.push(chunk);
      try {
        parser.feed(chunk);
      } catch (err) {
        live?.cancel();
        finish(err);
      }
      if (mode === 'ours') before = [];
    },
    end(err) {
      if (mode !== 'sdk') return finish(err);
      if (err === undefined) sdk!.close();
      else sdk!.error(err);
    },
  });
  return live ? answered : undefined;
}

const bytesOf = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
