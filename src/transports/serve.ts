// `mcp-route serve`: the wrapped stdio server as a Streamable HTTP endpoint at /mcp. Each HTTP
// session gets its own child (2025-era servers keep per-connection state) behind the same
// proxy core as `run`: the session's SDK transport is the host side, the child's stdio the
// server side, joined by a pair of in-memory line streams. Every session draws on one set of
// routers, so budgets are shared by the whole process (and beyond it through sqlite or Redis).
// Host, Origin and the bearer token are checked before anything is spawned.
// 2026-07-28 requests come without a session (each carries its own `_meta`): they go to one
// shared child instead (serve-modern.ts).

import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { modernMeta } from '../proxy/era.js';
import { ModernRequests } from './serve-modern.js';
import type { Logger } from '../proxy/log.js';
import { runProxy, type ChildProxyOptions } from '../proxy/proxy.js';
import type { PrometheusMetrics } from '../telemetry/prometheus.js';

/** Bodies above this are refused (413) before they reach the server. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface ServeOptions extends Pick<ChildProxyOptions, 'command' | 'args' | 'cwd' | 'env' | 'redact' | 'serverName' | 'toolsMayBeAllowed' | 'graceMs' | 'dryRun'> {
  host: string;
  port: number;
  log: Logger;
  /** Required unless host is loopback: clients send `Authorization: Bearer <token>`. */
  token?: string;
  maxSessions: number;
  idleTimeoutMs: number;
  /** Extra Host header values to accept (e.g. the name a reverse proxy forwards). */
  allowedHosts?: readonly string[];
  /** Origins to accept besides loopback ones. */
  allowedOrigins?: readonly string[];
  /** Builds one session's router; `hostSampler` is that session's client, when it declared sampling. */
  createRouter: ChildProxyOptions['createRouter'];
  metrics?: PrometheusMetrics;
}

interface Session {
  id: string;
  transport: StreamableHTTPServerTransport;
  lastActive: number;
  close(): void;
  done: Promise<number>;
}

export interface ServeHandle {
  url: string;
  sessions(): number;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export async function startServe(o: ServeOptions): Promise<ServeHandle> {
  if (!isLoopbackHost(o.host) && !o.token) {
    throw new Error(`refusing to listen on ${o.host} without a bearer token: set MCP_ROUTE_SERVE_TOKEN (clients then send "Authorization: Bearer <token>")`);
  }
  const sessions = new Map<string, Session>();
  const modern = new ModernRequests((input, output) => runChild(o, input, output, { shared: true }), o.log);
  const updateGauge = () => o.metrics?.setSessions(sessions.size);

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log.error(`serve: ${(err as Error).message}`);
      if (!res.headersSent) reply(res, 500, 'internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    // DNS rebinding: a browser page on another origin must not reach a loopback server.
    if (!hostAllowed(req.headers.host, port, o)) return reply(res, 403, `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed`);
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, o)) return reply(res, 403, `Origin ${JSON.stringify(origin)} is not allowed`);
    if (o.token && !bearerMatches(req.headers.authorization, o.token)) return reply(res, 401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    if (path === '/metrics' && o.metrics && req.method === 'GET') {
      const text = await o.metrics.render();
      res.writeHead(200, { 'content-type': o.metrics.contentType }).end(text);
      return;
    }
    if (path !== '/mcp') return reply(res, 404, `no such endpoint: ${path} (the MCP endpoint is /mcp)`);

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return reply(res, 404, 'unknown or expired session; initialize a new one');
      session.lastActive = Date.now();
      const body = req.method === 'POST' ? await readJson(req, res) : undefined;
      if (body === INVALID) return;
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST') return reply(res, 400, 'missing mcp-session-id header');
    const body = await readJson(req, res);
    if (body === INVALID) return;
    if (isModernRequest(body)) return modern.handle(res, body, { sse: acceptsEventStream(req) });
    // A 2026 client closing a listen stream also posts its cancellation, naming its own id, which
    // other sessionless clients may use too: closing the stream is what cancels (serve-modern.ts).
    if (isCancellation(body)) return void res.writeHead(202).end();
    if (!isInitialize(body)) return reply(res, 400, 'a request without mcp-session-id must be initialize');
    if (sessions.size >= o.maxSessions) return reply(res, 503, `session limit reached (${o.maxSessions}); try again later`, { 'retry-after': '5' });
    const session = openSession();
    await session.transport.handleRequest(req, res, body);
  }

  function openSession(): Session {
    const input = new PassThrough();
    const output = new PassThrough();
    const progressOwners = new Map<string, RequestId>();
    /** Client requests the server has not answered yet, oldest first. */
    const openRequests: RequestId[] = [];
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session!.id = id;
        sessions.set(id, session!);
        updateGauge();
        o.log.info(`session ${id} opened (${sessions.size} open)`);
      },
    });
    transport.onmessage = (message) => {
      rememberProgress(message, progressOwners);
      const m = message as { id?: RequestId; method?: string };
      if (m.method !== undefined && m.id !== undefined) openRequests.push(m.id);
      input.write(`${JSON.stringify(message)}\n`);
    };
    transport.onclose = () => input.end();
    // The child's lines become messages for this session's client. Progress goes on the
    // stream of the request that asked for it; responses find their stream by id.
    const lines = createInterface({ input: output, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let message: JSONRPCMessage;
      try {
        message = JSON.parse(line) as JSONRPCMessage;
      } catch {
        return o.log.debug(`session ${session?.id}: dropped a non-JSON line from the server`);
      }
      const m = message as { id?: RequestId; method?: string };
      if (m.method === undefined && m.id !== undefined) {
        // A response: its request is no longer open, nor are its progress tokens.
        const at = openRequests.indexOf(m.id);
        if (at >= 0) openRequests.splice(at, 1);
        for (const [token, owner] of progressOwners) if (owner === m.id) progressOwners.delete(token);
      }
      // A server-to-client request or notification travels on the stream of the newest open
      // client request (what the SDK's own servers do from inside a handler); with none open,
      // on the client's standalone GET stream.
      const related = relatedRequest(message, progressOwners) ?? (m.method !== undefined ? openRequests[openRequests.length - 1] : undefined);
      transport.send(message, related !== undefined ? { relatedRequestId: related } : undefined).catch((err: unknown) => o.log.debug(`session ${session?.id}: ${(err as Error).message}`));
    });
    const done = runChild(o, input, output);
    session = {
      id: '',
      transport,
      lastActive: Date.now(),
      done,
      close: () => void transport.close(),
    };
    // The child is gone (exit, crash, or the session closed): the session ends with it.
    void done.then((code) => {
      if (session!.id && sessions.delete(session!.id)) {
        updateGauge();
        o.log.info(`session ${session!.id} closed (server exit ${code}; ${sessions.size} open)`);
      }
      void transport.close();
    });
    return session;
  }

  // Idle sessions end on their own: a client that vanished must not keep a child running.
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const s of sessions.values()) if (now - s.lastActive > o.idleTimeoutMs) s.close();
      modern.closeIfIdle(now, o.idleTimeoutMs);
    },
    Math.max(250, Math.min(o.idleTimeoutMs / 4, 30_000)),
  );
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shownHost}:${port}/mcp`,
    sessions: () => sessions.size,
    async close() {
      clearInterval(sweeper);
      const all = [...sessions.values()];
      for (const s of all) s.close();
      await Promise.allSettled([...all.map((s) => s.done), modern.close()]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const INVALID = Symbol('invalid body');

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, `request body over ${MAX_BODY_BYTES} bytes`);
      return INVALID;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'mcp-route: parse error: the body is not JSON' } }));
    return INVALID;
  }
}

function isInitialize(body: unknown): boolean {
  const one = (m: unknown) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'initialize';
  return Array.isArray(body) ? body.some(one) : one(body);
}

function isCancellation(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'notifications/cancelled' && !('id' in body);
}

/** Whether the client takes an SSE answer (2026 requests are answered with JSON unless notifications come first). */
function acceptsEventStream(req: IncomingMessage): boolean {
  return /\btext\/event-stream\b/i.test(req.headers.accept ?? '');
}

/** A single 2026-07-28 request: its `_meta` names a protocol version (it has no session to belong to). */
function isModernRequest(body: unknown): body is Record<string, unknown> & { id: RequestId } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const m = body as Record<string, unknown>;
  return modernMeta(m) !== undefined && typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number');
}

/** One child behind one proxy core, its host side the given line streams (a session's, or the shared 2026 one). */
function runChild(o: ServeOptions, input: PassThrough, output: PassThrough, { shared = false } = {}): Promise<number> {
  return runProxy({
    // Several clients behind one core: nobody's remembered approval may answer for the others.
    rememberApprovals: !shared,
    command: o.command,
    args: o.args,
    cwd: o.cwd,
    env: o.env,
    log: o.log,
    redact: o.redact,
    serverName: o.serverName,
    toolsMayBeAllowed: o.toolsMayBeAllowed,
    graceMs: o.graceMs,
    input,
    output,
    createRouter: o.createRouter,
    ...(o.dryRun ? { dryRun: o.dryRun } : {}),
  });
}

function reply(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `mcp-route: ${message}` } }));
}

function hostAllowed(header: string | undefined, port: number, o: ServeOptions): boolean {
  if (!header) return false;
  if (o.allowedHosts?.includes(header)) return true;
  const name = header.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const given = header.match(/:(\d+)$/)?.[1];
  if (given !== undefined && Number(given) !== port) return false;
  if (isLoopbackHost(name)) return true;
  // Bound to a specific non-loopback address: that address is who we are.
  return name === o.host;
}

function originAllowed(origin: string, o: ServeOptions): boolean {
  if (o.allowedOrigins?.includes(origin)) return true;
  try {
    return isLoopbackHost(new URL(origin).hostname.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    return false;
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Remembers which client request a progress token belongs to. */
function rememberProgress(message: JSONRPCMessage, owners: Map<string, RequestId>): void {
  const m = message as { id?: RequestId; method?: string; params?: { _meta?: { progressToken?: string | number } } };
  const token = m.params?._meta?.progressToken;
  if (m.method !== undefined && m.id !== undefined && token !== undefined) owners.set(String(token), m.id);
}

/** The client request a server message belongs to, for the SDK transport to pick its stream. */
function relatedRequest(message: JSONRPCMessage, owners: Map<string, RequestId>): RequestId | undefined {
  const m = message as { id?: RequestId; method?: string; params?: { progressToken?: string | number } };
  if (m.method === 'notifications/progress' && m.params?.progressToken !== undefined) return owners.get(String(m.params.progressToken));
  return undefined;
}
