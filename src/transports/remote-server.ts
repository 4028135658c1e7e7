// The server side of the proxy as a remote MCP server over Streamable HTTP (`run --url`), on
// the SDK v2 client transport: it keeps the 2025 session (Mcp-Session-Id from initialize, the
// GET SSE stream after `notifications/initialized`, MCP-Protocol-Version once negotiated) and
// derives the 2026 per-request headers from each message's `_meta`. The core above sees the
// same newline-delimited JSON-RPC bytes as from a child, so every interception stays there.
//
// The answer to a POST (an event stream or JSON) is read here rather than by the SDK, and each
// message goes on as the server wrote it (see fetch() and sse-take.ts).
//
// What HTTP adds, answered here: a request whose POST fails (401/403, unreachable, a stream
// that ends without a response) gets a JSON-RPC error at once, never silence; a request the
// server accepts with 202 and no stream gets one after a bounded wait (noAnswerWaitMs); an
// answer that comes after its error is dropped, so every request gets exactly one; a
// cancellation aborts the POST of the request it names; closing the side ends the session
// with DELETE.

import { StreamableHTTPClientTransport, UnauthorizedError, type AuthProvider, type OAuthClientProvider } from '@modelcontextprotocol/client';
import type { JsonRpcId } from '../proxy/classify-frame.js';
import type { Logger } from '../proxy/log.js';
import type { ServerEvents, ServerSide } from '../proxy/sides.js';
import { WIRE_CONNECTION_CLOSED, type WireError } from '../proxy/wire-errors.js';
import { answerWithBody, asResponse, httpSend, type HttpAnswer } from '../providers/http-fetch.js';
import type { SseEvent } from '../providers/sse-events.js';
import { SignInRequiredError } from './oauth/provider.js';
import { takeEventStream } from './sse-take.js';

type Message = Record<string, unknown>;

export interface RemoteServerOptions {
  url: URL;
  /** Sent on every request (already expanded from the environment). */
  headers: Record<string, string>;
  /** OAuth or another token source for the transport (the `auth` command's provider plugs in here). */
  authProvider?: AuthProvider | OAuthClientProvider;
  log: Logger;
  redact: (text: string) => string;
  /** How long closing waits for the session's DELETE. */
  closeTimeoutMs: number;
  /** How long a request the server accepted with 202 (no response stream) may wait for its answer on the GET stream. */
  noAnswerWaitMs: () => number;
}

interface Pending {
  id: JsonRpcId;
  abort: AbortController;
  /** A 2026 request: cancelled by aborting its stream alone (no notification, as the SDK does). */
  modern: boolean;
  /** Set once the server accepted the request with 202: the bounded wait for its answer. */
  noAnswer?: NodeJS.Timeout;
}

const CANCELLED = 'notifications/cancelled';
/** Ids of requests that got mcp-route's error instead of an answer, kept to drop a late answer; the oldest are forgotten past this many. */
const MAX_GAVE_UP = 1024;
const PROTOCOL_VERSION_META = 'io.modelcontextprotocol/protocolVersion';

/** What the SDK reads from a JSON answer mcp-route has already relayed. */
const EMPTY_BATCH = Buffer.from('[]');

/** The shape the SDK's schema would accept, roughly: a request or notification, or an answer. */
function isJsonRpcMessage(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const message = m as Message;
  return message.jsonrpc === '2.0' && (typeof message.method === 'string' || ('id' in message && ('result' in message || 'error' in message)));
}

/**
 * A successful POST's answer as the SDK transport takes it. Past a 200 or 202 it reads only
 * `ok`, `status`, `headers.get()` (the session id, the content type), `text()`, `json()` and
 * `body`, all of which an HttpAnswer has; no web Response and Headers are made per call.
 * Anything else (an error status, a GET or DELETE) goes to it as a real Response (asResponse).
 */
const sdkView = (answer: HttpAnswer): Response => answer as unknown as Response;

/** JSON-RPC ids 1 and "1" are different requests. */
const idKey = (id: unknown): string => (typeof id === 'number' ? `n${id}` : `s${String(id)}`);

export class RemoteServer implements ServerSide {
  readonly fallbackName: string;
  private readonly transport: StreamableHTTPClientTransport;
  private events?: ServerEvents;
  /** Requests sent and not answered yet, by id key. */
  private readonly pending = new Map<string, Pending>();
  /** Requests answered with mcp-route's error: a late answer from the server is dropped, not a second answer. */
  private readonly gaveUp = new Set<string>();
  /** Pieces of an unfinished line from the core (a long line arrives in pieces). */
  private partial: Buffer[] = [];
  private initializeKey?: string;
  /** Everything after an initialize waits for its POST to return: the session id comes in its headers. */
  private gate: Promise<void> = Promise.resolve();
  private closed = false;
  /** `exited` was reported: the core has finished, nothing more is delivered. */
  private done = false;

  constructor(private readonly o: RemoteServerOptions) {
    this.fallbackName = o.url.hostname;
    this.transport = new StreamableHTTPClientTransport(o.url, {
      requestInit: { headers: o.headers },
      fetch: (url, init) => this.fetch(url, init),
      ...(o.authProvider ? { authProvider: o.authProvider } : {}),
    });
  }

  /** host:port, for messages (never the path or query, which may carry a token). */
  get where(): string {
    const { hostname, port, protocol } = this.o.url;
    return `${hostname}:${port || (protocol === 'https:' ? '443' : '80')}`;
  }

  get writable(): boolean {
    return !this.closed;
  }

  start(events: ServerEvents): void {
    this.events = events;
    this.transport.onmessage = (message) => this.fromServer(message as unknown as Message);
    this.transport.onerror = (err) => this.o.log.debug(this.o.redact(`${this.where}: ${err.message}`));
    void this.transport.start();
  }

  write(bytes: Buffer | string): boolean {
    // Split as bytes: a piece of a long line may end inside a UTF-8 character. Pieces are joined
    // once, at the line's end, so a 50 MB line costs one copy rather than one per piece.
    const chunk = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) {
      this.partial.push(chunk);
      return true;
    }
    const complete = this.partial.length ? Buffer.concat([...this.partial, chunk.subarray(0, end)]) : chunk.subarray(0, end);
    this.partial = end + 1 < chunk.length ? [chunk.subarray(end + 1)] : [];
    for (const line of complete.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch (err) {
        this.o.log.warn(`not sent to ${this.where}: a message that is not JSON (${(err as Error).message})`);
        continue;
      }
      this.toServer(message);
    }
    return true;
  }

  onceDrain(callback: () => void): void {
    setImmediate(callback);
  }

  // Responses are read as they arrive; HTTP has no pause the SDK exposes.
  pause(): void {}
  resume(): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.endSession().then(() => {
      this.done = true;
      this.events?.exited({ code: 0, how: 'the HTTP session ended' });
    });
  }

  dispose(): void {}

  /** DELETE the session (bounded by closeTimeoutMs), then stop every stream. */
  private async endSession(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.o.closeTimeoutMs)));
    const deleted = this.transport.terminateSession().catch((err: Error) => this.o.log.warn(this.o.redact(`ending the session at ${this.where}: ${err.message}`)));
    await Promise.race([deleted, timeout]);
    clearTimeout(timer);
    for (const [key, p] of this.pending) {
      this.settle(key);
      p.abort.abort();
    }
    await this.transport.close().catch(() => {});
  }

  // node:http with keep-alive rather than global fetch: undici's Request/Headers/web-stream
  // plumbing was most of mcp-route's CPU per small call (bench/http.ts, README "Benchmarks").
  // It is also where a 202 shows: the SDK returns from send() on it and reports nothing more.
  // A POST's answer, an event stream (sse-take.ts) or JSON, is read here rather than by the
  // SDK: it reaches the host without web streams, zod, or a parse and serialization of its own.
  private async fetch(url: string | URL, init?: RequestInit): Promise<Response> {
    const answer = await httpSend(url, init ?? {}, { retryOnStaleSocket: true });
    if (init?.method !== 'POST' || (answer.status !== 200 && answer.status !== 202)) return asResponse(answer);
    if (answer.status === 202) {
      if (typeof init.body === 'string' && this.pending.size > 0) this.accepted(init.body);
      return sdkView(answer);
    }
    const type = answer.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream')) {
      const onBroken = (err: unknown) => this.o.log.debug(this.o.redact(`${this.where}: a response stream broke off: ${(err as Error).message}`));
      const taken = takeEventStream(answer, (event) => this.fromStream(event), onBroken);
      return taken ? sdkView(await taken) : asResponse(answer);
    }
    return type.includes('application/json') ? sdkView(await this.takeJson(answer)) : asResponse(answer);
  }

  /** One event of a POST's stream, as the SDK would take it: a `message` event whose data is one JSON-RPC message. */
  private fromStream(event: SseEvent): void {
    if (!event.data || (event.event !== null && event.event !== 'message')) return;
    let message: unknown;
    try {
      message = JSON.parse(event.data);
    } catch (err) {
      this.o.log.debug(`${this.where} sent an event that is not JSON: ${(err as Error).message}`);
      return;
    }
    if (!isJsonRpcMessage(message)) {
      this.o.log.debug(`${this.where} sent an event that is not a JSON-RPC message`);
      return;
    }
    // The data goes on as it came, unless it spans lines (data: lines joined), which the core's
    // newline-delimited framing cannot carry.
    this.fromServer(message, event.data.includes('\n') ? undefined : event.data);
  }

  /**
   * A POST answered with JSON (one message or a batch): relayed as it came, and the SDK reads
   * an empty batch. A body the SDK would refuse (not JSON, not JSON-RPC) is left to it, so the
   * request still fails as before rather than waiting for an answer that was never relayed.
   */
  private async takeJson(response: HttpAnswer): Promise<HttpAnswer> {
    const text = (await response.text()).trim();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return answerWithBody(response, Buffer.from(text));
    }
    const messages = Array.isArray(data) ? data : [data];
    if (!messages.every(isJsonRpcMessage)) return answerWithBody(response, Buffer.from(text));
    const whole = Array.isArray(data) || text.includes('\n') ? undefined : text;
    for (const message of messages) this.fromServer(message, whole);
    return answerWithBody(response, EMPTY_BATCH);
  }

  /**
   * A POST answered 202: for a notification or a response that is all there is; for a request
   * the answer may still come on the GET stream, so it gets a bounded wait, then an error.
   * (Only 202s are parsed here: notifications and sampling answers, never the tool-call path.)
   */
  private accepted(body: string): void {
    let message: Message;
    try {
      message = JSON.parse(body) as Message;
    } catch {
      return;
    }
    if (typeof message.method !== 'string' || message.id === undefined) return;
    const key = idKey(message.id);
    const entry = this.pending.get(key);
    if (!entry || entry.noAnswer) return;
    const waitMs = this.o.noAnswerWaitMs();
    this.o.log.debug(`${this.where} accepted request ${JSON.stringify(entry.id)} with 202 and no response stream: waiting up to ${waitMs} ms for its answer`);
    entry.noAnswer = setTimeout(
      () =>
        this.fail(key, entry, {
          code: WIRE_CONNECTION_CLOSED,
          message: `mcp-route: ${this.where} accepted the request (HTTP 202) but sent no answer within ${waitMs} ms (the policy's defaults.deadline)`,
          data: { reason: 'NO_ANSWER', waitedMs: waitMs },
        }),
      waitMs,
    );
  }

  private toServer(message: Message): void {
    const isRequest = typeof message.method === 'string' && message.id !== undefined;
    if (isRequest) this.sendRequest(message);
    else if (message.method === CANCELLED) this.cancel(message);
    else this.send(message).catch((err: unknown) => this.o.log.warn(this.o.redact(`a message to ${this.where} was lost: ${describe(err, this.where).message}`)));
  }

  private sendRequest(message: Message): void {
    const id = message.id as JsonRpcId;
    const key = idKey(id);
    const meta = (message.params as { _meta?: Message } | undefined)?._meta;
    const entry: Pending = { id, abort: new AbortController(), modern: typeof meta?.[PROTOCOL_VERSION_META] === 'string' };
    this.settle(key);
    this.pending.set(key, entry);
    // The host reused the id: an answer under it now belongs to this request.
    this.gaveUp.delete(key);
    const sent = this.send(message, {
      requestSignal: entry.abort.signal,
      // The response stream ended (after the SDK's own reconnection attempts) without an answer.
      onRequestStreamEnd: () =>
        this.fail(key, entry, { code: WIRE_CONNECTION_CLOSED, message: `mcp-route: ${this.where} closed the response stream without answering`, data: { reason: 'STREAM_ENDED' } }),
    });
    sent.catch((err: unknown) => this.fail(key, entry, describe(err, this.where)));
    if (message.method === 'initialize') {
      this.initializeKey = key;
      this.gate = sent.catch(() => {});
    }
  }

  /** A cancellation aborts the POST of the request it names; a 2025 server is also told. */
  private cancel(message: Message): void {
    const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
    const key = idKey(requestId);
    const entry = this.pending.get(key);
    this.settle(key);
    const abort = () => entry?.abort.abort(new Error('cancelled by the host'));
    if (entry?.modern) {
      abort();
      return;
    }
    this.send(message)
      .catch((err: unknown) => this.o.log.debug(this.o.redact(`the cancellation to ${this.where} was lost: ${describe(err, this.where).message}`)))
      .finally(abort);
  }

  private send(message: Message, options?: { requestSignal: AbortSignal; onRequestStreamEnd: () => void }): Promise<void> {
    return this.gate.then(() => this.transport.send(message as never, options));
  }

  /** A message for the host; `text` is its JSON as the server sent it, when it fits on one line. */
  private fromServer(message: Message, text?: string): void {
    if (this.done) return;
    const isResponse = message.method === undefined && message.id !== undefined;
    if (isResponse) {
      const key = idKey(message.id);
      if (this.gaveUp.delete(key)) {
        this.o.log.debug(`dropped a late answer to request ${JSON.stringify(message.id)} from ${this.where}: the host already had an error for it`);
        return;
      }
      this.settle(key);
      if (key === this.initializeKey) {
        this.initializeKey = undefined;
        const version = (message.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (typeof version === 'string') this.transport.setProtocolVersion(version);
      }
    }
    this.events?.data(Buffer.from(`${text ?? JSON.stringify(message)}\n`));
  }

  /** The request is no longer waited for: forget it and stop its bounded wait. */
  private settle(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    clearTimeout(entry.noAnswer);
    this.pending.delete(key);
  }

  /** The request gets this error as the server's answer, once (unless it was answered or cancelled); a later answer is dropped. */
  private fail(key: string, entry: Pending, error: WireError): void {
    if (this.pending.get(key) !== entry || entry.abort.signal.aborted) return;
    this.settle(key);
    this.o.log.warn(this.o.redact(`request ${JSON.stringify(entry.id)}: ${error.message}`));
    this.fromServer({ jsonrpc: '2.0', id: entry.id, error: { ...error, message: this.o.redact(error.message) } });
    this.gaveUp.add(key);
    if (this.gaveUp.size > MAX_GAVE_UP) this.gaveUp.delete(this.gaveUp.values().next().value!);
  }
}

/** A failed POST as a JSON-RPC error that says what happened: refused (401/403), unreachable, or the HTTP status. */
export function describe(err: unknown, where: string): WireError {
  if (err instanceof SignInRequiredError) return { code: WIRE_CONNECTION_CLOSED, message: `mcp-route: ${err.message}`, data: { reason: 'OAUTH_SIGN_IN_REQUIRED' } };
  const status = err instanceof UnauthorizedError ? 401 : (err as { data?: { status?: unknown } } | undefined)?.data?.status;
  if (status === 401 || status === 403) {
    const word = status === 401 ? 'Unauthorized' : 'Forbidden';
    return {
      code: WIRE_CONNECTION_CLOSED,
      message: `mcp-route: the server at ${where} answered HTTP ${status} ${word}: check the --header or sign in with \`mcp-route auth\``,
      data: { reason: status === 401 ? 'HTTP_UNAUTHORIZED' : 'HTTP_FORBIDDEN', status },
    };
  }
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  if (err instanceof TypeError && cause) {
    const code = typeof cause.code === 'string' ? cause.code : String((cause as { message?: unknown }).message ?? cause);
    return { code: WIRE_CONNECTION_CLOSED, message: `mcp-route: cannot reach the server at ${where} (${code})`, data: { reason: 'UNREACHABLE', cause: code } };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { code: WIRE_CONNECTION_CLOSED, message: `mcp-route: the request to ${where} failed: ${text}`, data: { reason: 'HTTP_ERROR', ...(typeof status === 'number' ? { status } : {}) } };
}
