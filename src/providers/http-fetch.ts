// The provider SDKs' transport: a `fetch` over node:http / node:https with keep-alive agents.
// Node's global fetch (undici) spends about half a millisecond of CPU per call on web-stream
// and Request/Headers plumbing on top of the HTTP work, which is most of what a gateway call
// adds over a direct one (README, "Benchmarks"). The SDKs still build every request, apply
// their timeouts and parse every response; only the bytes travel differently. Anything this
// does not handle (a stream or form body, a Request object, a URL with credentials, another
// scheme) goes to global fetch. Mcp-route's own senders (openai/send-chat.ts) go one step
// further with httpSend: the same request, answered as an HttpAnswer read straight from the
// node:http response, without a web Response and Headers built per call.

import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import zlib from 'node:zlib';

// Idle keep-alive sockets are unref'd by the agent, so they never hold a process open.
const agents: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true, noDelay: true }),
  'https:': new https.Agent({ keepAlive: true, noDelay: true }),
};

/** A drop-in `fetch` for the `openai` and `@anthropic-ai/sdk` clients (their `fetch` option). */
export function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  return nodeOrGlobal(input, init, responseShapes) ?? fetch(input, init);
}

/**
 * What mcp-route's own senders read of an answer: the part of a Response they use. A Response
 * is one (global fetch answers what httpSend cannot send itself).
 */
export interface HttpAnswer {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** The body as a web stream, made on first use; streamed bodies are better read with liveChunks. */
  readonly body: ReadableStream<Uint8Array> | null;
}

/** As httpFetch, answered as an HttpAnswer: no Response or Headers is made for a node:http answer. */
export function httpSend(url: string | URL, init: RequestInit, options: SendOptions = {}): Promise<HttpAnswer> {
  return nodeOrGlobal(url, init, answerShapes, options) ?? fetch(url, init);
}

export interface SendOptions {
  /**
   * Send a request once more, on a new connection, when a kept-alive connection broke under it
   * before a byte of answer (unansweredOnReuse). For `run --url`; the providers leave a failed
   * call to the router, whose retries and fallbacks count it.
   */
  retryOnStaleSocket?: boolean;
}

/** The Headers of an answer, for the SDKs' error classes. */
export function webHeaders(answer: HttpAnswer): Headers {
  return answer instanceof NodeAnswer ? responseHeaders(answer.rawHeaders) : (answer.headers as Headers);
}

/** An answer as a web Response, for a reader that may want all of one (an SDK's error and auth paths). */
export function asResponse(answer: HttpAnswer): Response {
  return answer instanceof NodeAnswer ? answer.toResponse() : (answer as Response);
}

/**
 * The same status and headers with another body, already in hand (or none): what a reader
 * that took the body itself hands on. No Response is made for a node:http answer.
 */
export function answerWithBody(answer: HttpAnswer, bytes: Buffer | null): HttpAnswer {
  if (answer instanceof NodeAnswer) return answer.withContent(bytes);
  const init: ResponseInit = { status: answer.status, statusText: answer.statusText, headers: answer.headers as Headers };
  return bytes === null ? new Response(null, init) : bufferedResponse(bytes, init);
}

/** The request over node:http, answered in `shapes`' form; undefined when global fetch must take it. */
function nodeOrGlobal<R>(input: string | URL | Request, init: RequestInit, shapes: Shapes<R>, options: SendOptions = {}): Promise<R> | undefined {
  const body = init.body;
  const target = typeof input === 'string' || input instanceof URL ? targetOf(input) : undefined;
  const url = target?.url;
  const agent = url ? agents[url.protocol] : undefined;
  // Global fetch refuses a URL with credentials in it, naming the URL (redacted by the
  // providers); node:http would quietly send them as basic auth instead.
  const plain = url !== undefined && url.username === '' && url.password === '';
  if (!url || !agent || !plain || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) return undefined;
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  // Encoded once: a request can carry tens of megabytes of base64 images.
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const headers = rawRequestHeaders(init.headers, url.host, bytes);
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise<R>((resolve, reject) => {
    let settled = false;
    let req: http.ClientRequest;
    let onBodyAbort: ((reason: unknown) => void) | undefined;
    const onAbort = () => {
      req.destroy();
      const reason = abortReason(signal!);
      if (onBodyAbort) onBodyAbort(reason);
      else if (!settled) reject(reason);
      settled = true;
    };
    const done = () => signal?.removeEventListener('abort', onAbort);
    const send = (retried: boolean) => {
      // The second attempt takes a connection of its own (agent: false), not another pooled one that may be as stale.
      req = transport.request({ ...target!.options, method: init.method ?? 'GET', headers, agent: retried ? false : agent }, (res) => {
        const answer = toAnswer(res, init.method === 'HEAD', done, shapes);
        onBodyAbort = answer.abort;
        answer.response.then(
          (response) => {
            settled = true;
            resolve(response);
          },
          (err: unknown) => {
            done();
            settled = true;
            reject(err);
          },
        );
      });
      const unanswered = options.retryOnStaleSocket && !retried ? unansweredOnReuse(req) : undefined;
      req.on('error', (err) => {
        if (settled) return;
        if (unanswered?.(err)) return send(true);
        settled = true;
        done();
        // As undici says it: the cause (ECONNREFUSED, ECONNRESET...) is one level down.
        reject(new TypeError('fetch failed', { cause: err }));
      });
      req.end(bytes ?? undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    send(false);
  });
}

/**
 * Whether a failed request is the keep-alive race Node documents (`reusedSocket`): the server
 * closed an idle kept-alive connection (its idle timeout, 5 s in Node, racing our reuse of it)
 * as the request went out, so the socket resets or hangs up before a byte of answer. Such a
 * request is sent once more, on a new connection. Any other failure is final: a fresh
 * connection, another error, or any byte of answer read, so a request the server may have
 * acted on (a tools/call) is not sent twice. (A server that read a request and hung up on it
 * without a byte, on a reused connection, looks the same: that request is sent once more.)
 */
function unansweredOnReuse(req: http.ClientRequest): (err: NodeJS.ErrnoException) => boolean {
  let socket: Socket | undefined;
  let readBefore = 0;
  req.once('socket', (s) => {
    socket = s;
    readBefore = s.bytesRead;
  });
  return (err) => {
    const code = err.code;
    if (!req.reusedSocket || (code !== 'ECONNRESET' && code !== 'EPIPE')) return false;
    return socket !== undefined && socket.bytesRead === readBefore;
  };
}

/** A URL as parsed once: the WHATWG URL and node:http's request options for it. */
interface Target {
  url: URL;
  options: http.RequestOptions;
}

// A provider sends every call to the same one or two URLs: each is parsed once (WHATWG URL,
// then node:http's options for it, which http.request would redo from a URL on every call),
// not on every call in the path between a gateway request arriving and its upstream request
// leaving. Bounded, oldest out first, for embedders that call many URLs.
const targets = new Map<string, Target>();
const MAX_TARGETS = 64;

function targetOf(input: string | URL): Target {
  if (typeof input !== 'string') return { url: input, options: urlToHttpOptions(input) };
  let target = targets.get(input);
  if (!target) {
    const url = new URL(input);
    target = { url, options: urlToHttpOptions(url) };
    if (targets.size >= MAX_TARGETS) targets.delete(targets.keys().next().value!);
    targets.set(input, target);
  }
  return target;
}

interface Pending<R> {
  response: Promise<R>;
  /** The caller aborted after the status line arrived: the body ends with `reason`. */
  abort: (reason: unknown) => void;
}

/** How one answer form is made from a node:http response and what its body came to. */
interface Shapes<R> {
  /** No body (HEAD, 204...). */
  empty(res: http.IncomingMessage): R;
  /** The whole body. */
  buffered(res: http.IncomingMessage, bytes: Buffer): R;
  /** The body broke off: reading it fails with `err`. */
  broken(res: http.IncomingMessage, err: unknown): R;
  /** Server-sent events, handed over as they arrive. */
  live(res: http.IncomingMessage, events: LiveBody): R;
}

function responseInit(res: http.IncomingMessage): ResponseInit {
  return { status: res.statusCode ?? 502, statusText: res.statusMessage ?? '', headers: responseHeaders(res.rawHeaders) };
}

/** What a node:http answer's body came to: none, all of it, a live event stream, or the error it broke off with. */
type BodyContent = Buffer | LiveBody | { error: unknown } | null;

/** The web Response for a body in any of its forms (responseShapes, and NodeAnswer.toResponse). */
function responseOf(init: ResponseInit, content: BodyContent): Response {
  if (content === null) return new Response(null, init);
  if (Buffer.isBuffer(content)) return bufferedResponse(content, init);
  return content instanceof LiveBody ? liveResponse(content, init) : new Response(erroredStream(content.error), init);
}

const responseShapes: Shapes<Response> = {
  empty: (res) => responseOf(responseInit(res), null),
  buffered: (res, bytes) => responseOf(responseInit(res), bytes),
  broken: (res, err) => responseOf(responseInit(res), { error: err }),
  live: (res, events) => responseOf(responseInit(res), events),
};

const answerShapes: Shapes<HttpAnswer> = {
  empty: (res) => new NodeAnswer(new AnswerHead(res), null),
  buffered: (res, bytes) => new NodeAnswer(new AnswerHead(res), bytes),
  broken: (res, err) => new NodeAnswer(new AnswerHead(res), { error: err }),
  live: (res, events) => new NodeAnswer(new AnswerHead(res), events),
};

/** An answer's status line and headers, looked up in node's own parsed object (a Headers is made only on request). */
class AnswerHead {
  readonly status: number;
  readonly statusText: string;
  readonly rawHeaders: string[];
  private readonly parsed: http.IncomingHttpHeaders;

  constructor(res: http.IncomingMessage) {
    this.status = res.statusCode ?? 502;
    this.statusText = res.statusMessage ?? '';
    this.rawHeaders = res.rawHeaders;
    this.parsed = res.headers;
  }

  get(name: string): string | null {
    const value = this.parsed[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.parsed[name.toLowerCase()] !== undefined;
  }
}

// Server-sent events are handed over chunk by chunk as they arrive (to liveChunks' reader,
// or to the SDK's parser through `body`); any other body is read whole first, which skips the
// web-stream machinery. A body that breaks off reads as an error from json()/text(), as with undici.
function toAnswer<R>(res: http.IncomingMessage, head: boolean, done: () => void, shapes: Shapes<R>): Pending<R> {
  const status = res.statusCode ?? 502;
  if (head || status === 204 || status === 205 || status === 304) {
    res.resume();
    done();
    return { response: Promise.resolve(shapes.empty(res)), abort: () => {} };
  }
  const source = decoded(res);
  const terminated = (cause: unknown) => new TypeError('terminated', { cause });
  if (String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
    const events = new LiveBody(source, res, done, terminated);
    return { response: Promise.resolve(shapes.live(res, events)), abort: (reason) => events.finish(reason) };
  }
  let rejectBody!: (reason: unknown) => void;
  const response = new Promise<R>((resolve, reject) => {
    rejectBody = reject;
    const chunks: Buffer[] = [];
    let over = false;
    const broken = (err: unknown) => {
      if (over) return;
      over = true;
      done();
      // Headers arrived, so like fetch this resolves; reading the body is what fails.
      resolve(shapes.broken(res, terminated(err)));
    };
    source.on('data', (chunk: Buffer) => chunks.push(chunk));
    source.on('end', () => {
      if (over) return;
      over = true;
      done();
      resolve(shapes.buffered(res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    });
    source.on('error', broken);
    res.on('close', () => !res.complete && broken(new Error('other side closed')));
  });
  return { response, abort: (reason) => rejectBody(reason) };
}

function erroredStream(err: unknown): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (c) => c.error(err) });
}

/** Where a live body's chunks go: straight to a reader (liveChunks) or into a web stream. */
export interface ChunkSink {
  chunk(bytes: Buffer): void;
  /** The body ended: cleanly (no error) or broken off / aborted. */
  end(err?: unknown): void;
}

/**
 * A server-sent events body as it arrives. Its one reader subscribes: chunks that came before
 * are handed over at once, later ones as they arrive, in the socket's own 'data' event.
 */
class LiveBody {
  private pending: Buffer[] = [];
  private sink: ChunkSink | undefined;
  private ended = false;
  private error: unknown;

  constructor(
    source: Readable,
    private readonly res: http.IncomingMessage,
    private readonly done: () => void,
    terminated: (cause: unknown) => TypeError,
  ) {
    source.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      if (this.sink) this.sink.chunk(chunk);
      else this.pending.push(chunk);
    });
    source.on('end', () => this.finish());
    source.on('error', (err) => this.finish(terminated(err)));
    res.on('close', () => !res.complete && this.finish(terminated(new Error('other side closed'))));
  }

  subscribe(sink: ChunkSink): void {
    if (this.sink) throw new TypeError('Body is unusable: Body has already been read');
    this.sink = sink;
    const pending = this.pending;
    this.pending = [];
    for (const chunk of pending) sink.chunk(chunk);
    if (this.ended) sink.end(this.error);
  }

  finish(err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = err;
    this.done();
    this.sink?.end(err);
  }

  /** The reader stopped reading: free the socket. */
  cancel(): void {
    this.ended = true;
    this.pending = [];
    this.done();
    this.res.destroy();
  }
}

const LIVE_BODY = Symbol('mcp-route.live-body');

/**
 * A streamed response whose bytes a reader can take straight from the socket (liveChunks),
 * skipping the web stream; `body` is still there, as a web stream made on first use, for any
 * other reader (the SDKs' own stream parsers).
 */
function liveResponse(events: LiveBody, init: ResponseInit): Response {
  const response = new Response(null, init);
  const body = liveStream(events);
  const whole = () => new Response(body(), init);
  Object.defineProperties(response, {
    [LIVE_BODY]: { value: events },
    body: { get: body },
    text: { value: () => whole().text() },
    json: { value: () => whole().json() },
    arrayBuffer: { value: () => whole().arrayBuffer() },
  });
  return response;
}

/** A live body's web stream, made on first call. */
function liveStream(events: LiveBody): () => ReadableStream<Uint8Array> {
  let stream: ReadableStream<Uint8Array> | undefined;
  let subscribed = false;
  // The stream takes the body at its first read, not when made: an SDK may look at `body`
  // (to log it) while liveChunks' reader is the one that reads.
  return () =>
    (stream ??= new ReadableStream<Uint8Array>(
      {
        pull: (c) => {
          if (subscribed) return;
          subscribed = true;
          events.subscribe({
            chunk: (b) => c.enqueue(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
            end: (err) => (err === undefined ? c.close() : c.error(err)),
          });
        },
        // The SDK stopped reading (it broke out of the stream): free the socket.
        cancel: () => events.cancel(),
      },
      { highWaterMark: 0 },
    ));
}

/**
 * Subscribes `sink` to a streamed body that httpFetch answered, chunk by chunk as the socket
 * delivers them (no web stream, no promise per chunk), and returns how to stop reading;
 * undefined for any other response (read its `body` instead).
 */
export function liveChunks(response: HttpAnswer, sink: ChunkSink): { cancel(): void } | undefined {
  const events = (response as HttpAnswer & { [LIVE_BODY]?: LiveBody })[LIVE_BODY];
  if (!events) return undefined;
  events.subscribe(sink);
  return { cancel: () => events.cancel() };
}

/**
 * A response whose body is already in hand: json() and text() decode it directly rather than
 * through a web stream (the SDKs read non-streaming answers with one of them). `body` is still
 * there, as a stream made on first use, for any reader that wants one.
 */
export function bufferedResponse(bytes: Buffer, init: ResponseInit): Response {
  const response = new Response(null, init);
  let stream: ReadableStream<Uint8Array> | undefined;
  Object.defineProperties(response, {
    text: { value: async () => bytes.toString('utf8') },
    json: { value: async () => JSON.parse(bytes.toString('utf8')) as unknown },
    arrayBuffer: { value: async () => viewOf(bytes).slice().buffer },
    body: { get: () => (stream ??= bytesStream(bytes)) },
  });
  return response;
}

function viewOf(bytes: Buffer): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bytesStream(bytes: Buffer): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start: (c) => {
      c.enqueue(viewOf(bytes));
      c.close();
    },
  });
}

/**
 * httpSend's answer: the status and headers as node:http parsed them, and the body as it came
 * (whole, live, broken off, or none). Its headers are looked up in node's own object; a
 * Headers is made only for an error (webHeaders).
 */
class NodeAnswer implements HttpAnswer {
  readonly ok: boolean;
  private stream: ReadableStream<Uint8Array> | undefined;
  private used = false;

  constructor(
    private readonly head: AnswerHead,
    private readonly content: BodyContent,
  ) {
    this.ok = head.status >= 200 && head.status <= 299;
    if (content instanceof LiveBody) Object.defineProperty(this, LIVE_BODY, { value: content });
  }

  get status(): number {
    return this.head.status;
  }

  get statusText(): string {
    return this.head.statusText;
  }

  get headers(): HttpAnswer['headers'] {
    return this.head;
  }

  get rawHeaders(): string[] {
    return this.head.rawHeaders;
  }

  withContent(content: Buffer | null): NodeAnswer {
    return new NodeAnswer(this.head, content);
  }

  toResponse(): Response {
    return responseOf({ status: this.status, statusText: this.statusText, headers: responseHeaders(this.rawHeaders) }, this.content);
  }

  get body(): ReadableStream<Uint8Array> | null {
    const content = this.content;
    if (content === null) return null;
    return (this.stream ??= content instanceof LiveBody ? liveStream(content)() : Buffer.isBuffer(content) ? bytesStream(content) : erroredStream(content.error));
  }

  async text(): Promise<string> {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    const content = this.content;
    if (content === null) return '';
    if (Buffer.isBuffer(content)) return content.toString('utf8');
    return new Response(this.body).text();
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
}

/** The body as sent, undoing a content-encoding the server applied anyway. */
function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : undefined;
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/**
 * The request's headers as node:http takes them raw, [name, value, ...] with names lowercased,
 * plus the Host and content-length node:http or fetch would add. Given a list, node:http builds
 * the header block straight from it; given an object, it first stores every header through
 * setHeader (lowercased again, validated, put in a dictionary), which for a provider SDK's
 * dozen headers was a good part of the instructions of sending a gateway call upstream.
 */
function rawRequestHeaders(given: RequestInit['headers'], host: string, bytes: Uint8Array | null | undefined): string[] {
  const raw = givenInLowercase(given) ?? Object.entries(plainHeaders(given)).flat();
  let hasHost = false;
  let hasLength = false;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i] === 'host') hasHost = true;
    else if (raw[i] === 'content-length') hasLength = true;
  }
  if (!hasHost) raw.push('host', host);
  if (bytes != null && !hasLength) raw.push('content-length', String(bytes.byteLength));
  return raw;
}

/** A record's headers as a raw list when every name is lowercase already (so no two can clash); else undefined. */
function givenInLowercase(given: RequestInit['headers']): string[] | undefined {
  if (!given || given instanceof Headers || Array.isArray(given)) return undefined;
  const raw: string[] = [];
  for (const name of Object.keys(given)) {
    if (name !== name.toLowerCase()) return undefined;
    raw.push(name, (given as Record<string, string>)[name]!);
  }
  return raw;
}

function plainHeaders(given: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!given) return out;
  if (given instanceof Headers) {
    given.forEach((value, name) => {
      out[name] = value;
    });
  } else if (Array.isArray(given)) for (const [name, value] of given) out[name!.toLowerCase()] = value!;
  else for (const [name, value] of Object.entries(given as Record<string, string>)) out[name.toLowerCase()] = value;
  return out;
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
