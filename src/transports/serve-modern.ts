// Phase two of `serve`: 2026-07-28 requests. A 2026 client opens no session (every request
// carries its own `_meta`: protocol version, client info, capabilities), so its requests go to
// one child shared by every such client, behind one proxy core (sampling inside
// `input_required` answered by the policy there, as for `run`). Each POST is one request and
// gets one JSON answer: its id is swapped for one of ours on the way in (clients' ids collide)
// and restored on the way out; a client that goes away before the answer (how 2026 clients
// cancel) has its request cancelled. Progress and other notifications are not relayed (answers
// are JSON, not SSE). The child ends after serve's idle timeout without a request, like a session. A child that speaks only 2025 answers `server/discover` with -32601,
// which 2026 clients in `auto` mode take as "open a 2025 session".

import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import type { Logger } from '../proxy/log.js';

type Message = Record<string, unknown>;
type Id = string | number;

/** Requests in flight on the shared child; beyond it a request gets 503 (each holds a connection). */
export const MAX_MODERN_IN_FLIGHT = 256;

interface Waiting {
  res: ServerResponse;
  /** The client's own id, restored on the answer. */
  id: Id;
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

  /** One 2026 request (with an id) from a client without a session. */
  handle(res: ServerResponse, message: Message & { id: Id }): void {
    if (this.waiting.size >= MAX_MODERN_IN_FLIGHT) {
      reply(
        res,
        503,
        { jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `mcp-route: too many 2026 requests in flight (limit ${MAX_MODERN_IN_FLIGHT}); retry later` } },
        { 'retry-after': '1' },
      );
      return;
    }
    const child = this.sharedChild();
    this.lastActive = Date.now();
    const ours = `mcp-route-serve-${++this.next}`;
    this.waiting.set(ours, { res, id: message.id });
    // The client went away (its SDK aborts the request to cancel it): the child is told.
    res.on('close', () => {
      if (!this.waiting.delete(ours)) return;
      child.input.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: ours, reason: 'the HTTP client closed the request' } })}\n`);
    });
    child.input.write(`${JSON.stringify({ ...message, id: ours })}\n`);
  }

  /**
   * Ends the shared child once nothing is waiting and nothing came for `idleMs`, as idle 2025
   * sessions end: 2026 clients hold no session to close, so a child nobody uses would otherwise
   * run until serve stops. The next 2026 request starts a new one.
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

  /** An answer goes to the client that asked, under its own id; anything else is not relayed. */
  private fromChild(line: string): void {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      this.log.debug('2026-07-28 requests: dropped a non-JSON line from the shared server');
      return;
    }
    if (message.method !== undefined || typeof message.id !== 'string') return;
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id);
    this.lastActive = Date.now();
    reply(waiting.res, 200, { ...message, id: waiting.id });
  }
}

function reply(res: ServerResponse, status: number, body: Message, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
