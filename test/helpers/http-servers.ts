// Real MCP servers over Streamable HTTP on 127.0.0.1 (port 0), for `run --url` tests and
// bench/http.ts: an SDK v1 sessionful server behind a bearer token whose tool sends classic
// sampling, and an SDK v2 server (createMcpHandler) whose tool asks through input_required.
// Every HTTP request they receive is recorded (method, headers) so tests can check what
// mcp-route sent: the session id, MCP-Protocol-Version, the DELETE at the end.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpHandler, inputRequired, McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod';

export interface SeenRequest {
  method: string;
  headers: IncomingMessage['headers'];
}

export interface HttpMcpServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  /** Tool calls the server saw cancelled (by id of the tool call's text argument). */
  cancelled: string[];
  close(): Promise<void>;
}

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** SDK v1, sessionful, refusing requests without `Authorization: Bearer <token>` (the 401 body echoes what it got, as careless servers do). */
export async function startV1HttpServer(token: string): Promise<HttpMcpServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const seen: SeenRequest[] = [];
  const cancelled: string[] = [];
  const build = () => {
    const mcp = new McpServerV1({ name: 'v1-http-fixture', version: '1.0.0' });
    mcp.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text: t }) => text(t));
    mcp.registerTool('ask', { inputSchema: { q: z.string() } }, async ({ q }) => {
      const r = await mcp.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: q } }], maxTokens: 50 });
      return text(`sampled: ${(r.content as { text?: string }).text}`);
    });
    mcp.registerTool('slow', { inputSchema: { tag: z.string() } }, async ({ tag }, extra) => {
      await new Promise<void>((resolve) => {
        extra.signal.addEventListener('abort', () => resolve(), { once: true });
        setTimeout(resolve, 20_000).unref();
      });
      if (extra.signal.aborted) cancelled.push(tag);
      return text('slow done');
    });
    return mcp;
  };
  const { server, port } = await listen(async (req, res) => {
    seen.push({ method: req.method ?? '', headers: req.headers });
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`bad credentials: ${req.headers.authorization ?? 'none'}`);
      return;
    }
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!transport) {
      if (id !== undefined) {
        res.writeHead(404).end('unknown session');
        return;
      }
      const t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (sid) => void sessions.set(sid, t) });
      t.onclose = () => t.sessionId && sessions.delete(t.sessionId);
      await build().connect(t);
      transport = t;
    }
    await transport.handleRequest(req, res);
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    seen,
    cancelled,
    close: async () => {
      for (const t of sessions.values()) await t.close();
      await closeServer(server);
    },
  };
}

/** SDK v2 `createMcpHandler`: 2026-07-28 requests per request (tools ask through input_required), 2025 traffic stateless. */
export async function startV2HttpServer(): Promise<HttpMcpServer> {
  const seen: SeenRequest[] = [];
  const cancelled: string[] = [];
  const factory = () => {
    const mcp = new McpServerV2({ name: 'v2-http-fixture', version: '1.0.0' });
    mcp.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, async ({ text: t }) => text(t));
    mcp.registerTool('ask', { inputSchema: z.object({ q: z.string() }) }, async ({ q }, ctx) => {
      const answer = ctx.mcpReq.inputResponses?.s as { content?: { text?: string } } | undefined;
      if (!answer) {
        return inputRequired({ inputRequests: { s: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: q } }], maxTokens: 50 }) }, requestState: 'asked' });
      }
      return text(`sampled: ${answer.content?.text}; state: ${ctx.mcpReq.requestState()}`);
    });
    mcp.registerTool('slow', { inputSchema: z.object({ tag: z.string() }) }, async ({ tag }, ctx) => {
      await new Promise<void>((resolve) => {
        ctx.mcpReq.signal.addEventListener('abort', () => resolve(), { once: true });
        setTimeout(resolve, 20_000).unref();
      });
      if (ctx.mcpReq.signal.aborted) cancelled.push(tag);
      return text('slow done');
    });
    return mcp;
  };
  const handler = createMcpHandler(factory);
  const node = toNodeHandler(handler);
  const { server, port } = await listen((req, res) => {
    seen.push({ method: req.method ?? '', headers: req.headers });
    void node(req, res);
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    seen,
    cancelled,
    close: async () => {
      await handler.close();
      await closeServer(server);
    },
  };
}
