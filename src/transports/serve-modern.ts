// Phase two of `serve`: 2026-07-28 requests. A 2026 client opens no session (every request
// carries its own `_meta`: protocol version, client info, capabilities), so its requests go to
// one child shared by every such client, behind one proxy core (sampling inside
// `input_required` answered by the policy there, as for `run`). Each POST is one request: its
// id is swapped for one of ours on the way in (clients' ids collide) and restored on the way
// out; a client that goes away before the answer (how 2026 clients cancel) has its request
// cancelled. The child ends after serve's idle timeout without a request, like a session. A
// child that speaks only 2025 answers `server/discover` with -32601, which 2026 clients in
// `auto` mode take as "open a 2025 session".
//
// What the child sends besides answers reaches the client it belongs to, on that request's
// POST, which turns from a JSON answer into an SSE stream at the first such message:
//   - progress, by `progressToken`: a request's token is swapped for our id on the way in
//     (two clients may both use token 1) and restored on the way out;
//   - `subscriptions/listen` notifications (the acknowledgement, list_changed, resource
//     updates), by the subscription id in their `_meta`, which is the listen request's id;
//     a change notification without one goes to every open listen stream whose acknowledged
//     filter takes it. Closing the stream cancels the subscription at the child; so does the
//     child's exit (the core answers it with an error, which ends the stream).
//   - anything else (a log message, a server request): on stdio nothing says which client's
//     request it belongs to, and guessing could hand one client's data to another, so it is
//     dropped with a debug line.

import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import type { Logger } from '../proxy/log.js';

type Message = Record<string, unknown>;
type Id = string | number;

/** Requests in flight on the shared child (listen streams included); beyond it a request gets 503 (each holds a connection). */
export const MAX_MODERN_IN_FLIGHT = 256;
/** A client whose SSE stream has this much unsent is not keeping up: its notifications are dropped (answers never are), so a slow reader cannot grow serve's memory. */
const MAX_UNSENT_BYTES = 1024 * 1024;

const SUBSCRIPTION_ID_META = 'io.modelcontextprotocol/subscriptionId';
const LISTEN = 'subscriptions/listen';
const ACKNOWLEDGED = 'notifications/subscriptions/acknowledged';

/** The filter field of a listen subscription that takes each change notification. */
const CHANGE_FILTERS: Record<string, string> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
  'notifications/resources/updated': 'resourceSubscriptions',
};

interface Waiting {
  res: ServerResponse;
  /** The client's own id, restored on the answer (and, for a listen, on its notifications). */
  id: Id;
  /** The client's own progress token, restored on progress notifications (ours is our id). */
  progressToken?: unknown;
  /** The client accepts `text/event-stream`: notifications can be relayed on this POST. */
  sse: boolean;
  /** The SSE answer's headers are sent: the answer itself is the stream's last event. */
  streaming: boolean;
  /** A listen subscription's filter as the child acknowledged it (what it will deliver). */
  honored?: Message;
}

export class ModernRequests {
  private child?: { input: PassThrough; done: Promise<number> };
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;
  /** When a request last came in or was answered (ms since the epoch). */
  private lastActive = 0;
  /** Shared children ended for idleness that may not have exited yet (close() waits for them). */
  private readonly ending = new Set<Promise<number>>();

  /** `start` runs one proxy core and child on the given line streams (what a session does). */
  constructor(
    private readonly start: (input: PassThrough, output: PassThrough) => Promise<number>,
    private readonly log: Logger,
  ) {}

  /** One 2026 request (with an id) from a client without a session; `sse` when its Accept takes `text/event-stream`. */
  handle(res: ServerResponse, message: Message & { id: Id }, { sse }: { sse: boolean }): void {
    if (this.waiting.size >= MAX_MODERN_IN_FLIGHT) {
      reply(
        res,
        503,
        { jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `mcp-route: too many 2026 requests in flight (limit ${MAX_MODERN_IN_FLIGHT}); retry later` } },
        { 'retry-after': '1' },
      );
      return;
    }
    if (message.method === LISTEN && !sse) {
      reply(res, 406, { jsonrpc: '2.0', id: message.id, error: { code: -32600, message: 'mcp-route: subscriptions/listen needs a client that accepts text/event-stream' } });
      return;
    }
    const child = this.sharedChild();
    this.lastActive = Date.now();
    const ours = `mcp-route-serve-${++this.next}`;
    const { message: renamed, progressToken } = withOurProgressToken(message, ours);
    this.waiting.set(ours, { res, id: message.id, sse, streaming: false, ...(progressToken !== undefined ? { progressToken } : {}) });
    // The client went away (its SDK aborts the request to cancel it, and closes a listen
    // stream to end the subscription): the child is told.
    res.on('close', () => {
      if (!this.waiting.delete(ours)) return;
      child.input.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: ours, reason: 'the HTTP client closed the request' } })}\n`);
    });
    child.input.write(`${JSON.stringify({ ...renamed, id: ours })}\n`);
  }

  /**
   * Ends the shared child once nothing is waiting and nothing came for `idleMs`, as idle 2025
   * sessions end: 2026 clients hold no session to close, so a child nobody uses would otherwise
   * run until serve stops. The next 2026 request starts a new one. An open listen stream is
   * waiting, so it keeps the child (which delivers its notifications).
   */
  closeIfIdle(now: number, idleMs: number): void {
    const child = this.child;
    if (!child || this.waiting.size > 0 || now - this.lastActive <= idleMs) return;
    // Forgotten before it has exited, so a request arriving meanwhile starts a fresh child
    // instead of writing to this one's ended input.
    this.child = undefined;
    this.log.info(`2026-07-28 requests: the shared server is ending after ${Math.round(idleMs / 1000)} s without a request`);
    child.input.end();
    this.ending.add(child.done);
    void child.done.finally(() => this.ending.delete(child.done));
  }

  /** Closes the shared child; what is still waiting gets the core's "server exited" errors first. */
  async close(): Promise<void> {
    const child = this.child;
    child?.input.end();
    await Promise.all([child?.done, ...this.ending]);
  }

  /** Started on the first 2026 request, and again after the child exited. */
  private sharedChild(): { input: PassThrough; done: Promise<number> } {
    if (this.child) return this.child;
    const input = new PassThrough();
    const output = new PassThrough();
    const lines = createInterface({ input: output, crlfDelay: Infinity });
    lines.on('line', (line) => this.fromChild(line));
    const done = this.start(input, output);
    const child = { input, done };
    this.child = child;
    this.log.info('2026-07-28 requests: the shared server started');
    void done.then((code) => {
      if (this.child === child) this.child = undefined;
      this.log.info(`2026-07-28 requests: the shared server exited (${code})`);
    });
    return child;
  }

  private fromChild(line: string): void {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      this.log.debug('2026-07-28 requests: dropped a non-JSON line from the shared server');
      return;
    }
    if (message.method === undefined) this.answer(message);
    else if (message.id === undefined) this.notification(message as Message & { method: string });
    else this.log.debug(`2026-07-28 requests: dropped a ${String(message.method)} request from the shared server (nothing says which client it is for)`);
  }

  /** An answer goes to the client that asked, under its own id, and ends its POST. */
  private answer(message: Message): void {
    if (typeof message.id !== 'string') return;
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id);
    this.lastActive = Date.now();
    const answer = { ...message, id: waiting.id };
    if (waiting.streaming) {
      sendEvent(waiting.res, answer);
      waiting.res.end();
    } else reply(waiting.res, 200, answer);
  }

  /** A notification goes to the request or subscriptions it belongs to, or is dropped (see the top of the file). */
  private notification(message: Message & { method: string }): void {
    const routes = this.routes(message);
    if (routes.length === 0) this.log.debug(`2026-07-28 requests: dropped a ${message.method} from the shared server (no open request or subscription it belongs to)`);
    for (const [waiting, relayed] of routes) this.relay(waiting, relayed);
  }

  /** Where a notification goes, each copy under that client's own token or subscription id. */
  private routes(message: Message & { method: string }): Array<[Waiting, Message]> {
    const params = isObj(message.params) ? message.params : {};
    if (message.method === 'notifications/progress') {
      const waiting = typeof params.progressToken === 'string' ? this.waiting.get(params.progressToken) : undefined;
      return waiting?.progressToken !== undefined ? [[waiting, { ...message, params: { ...params, progressToken: waiting.progressToken } }]] : [];
    }
    const meta = isObj(params._meta) ? params._meta : {};
    const asSubscription = (waiting: Waiting): [Waiting, Message] => [waiting, { ...message, params: { ...params, _meta: { ...meta, [SUBSCRIPTION_ID_META]: waiting.id } } }];
    const subscription = meta[SUBSCRIPTION_ID_META];
    if (typeof subscription === 'string') {
      const waiting = this.waiting.get(subscription);
      if (!waiting) return [];
      if (message.method === ACKNOWLEDGED && isObj(params.notifications)) waiting.honored = params.notifications;
      return [asSubscription(waiting)];
    }
    if (!Object.hasOwn(CHANGE_FILTERS, message.method)) return [];
    return [...this.waiting.values()].filter((w) => w.honored && filterTakes(w.honored, message.method, params.uri)).map(asSubscription);
  }

  /** A notification on the request's POST: its answer becomes an SSE stream at the first one. */
  private relay(waiting: Waiting, message: Message): void {
    const { res } = waiting;
    if (!waiting.sse || res.writableEnded || res.destroyed) return;
    if (!waiting.streaming) {
      waiting.streaming = true;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    } else if (res.writableLength > MAX_UNSENT_BYTES) {
      this.log.debug(`2026-07-28 requests: dropped a ${String(message.method)} for a client that is not reading its stream`);
      return;
    }
    sendEvent(res, message);
  }
}

const isObj = (v: unknown): v is Message => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The request with its `_meta.progressToken` (if any) replaced by ours, and the client's token. */
function withOurProgressToken(message: Message, ours: string): { message: Message; progressToken?: unknown } {
  const params = message.params;
  if (!isObj(params) || !isObj(params._meta) || params._meta.progressToken === undefined) return { message };
  return { message: { ...message, params: { ...params, _meta: { ...params._meta, progressToken: ours } } }, progressToken: params._meta.progressToken };
}

/** Whether an acknowledged listen filter takes a change notification (a resource update: for its URI). */
function filterTakes(honored: Message, method: string, uri: unknown): boolean {
  const field = honored[CHANGE_FILTERS[method]!];
  if (method === 'notifications/resources/updated') return Array.isArray(field) && typeof uri === 'string' && field.includes(uri);
  return field === true;
}

function sendEvent(res: ServerResponse, message: Message): void {
  if (res.writableEnded || res.destroyed) return;
  res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

function reply(res: ServerResponse, status: number, body: Message, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
