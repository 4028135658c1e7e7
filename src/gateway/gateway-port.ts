// The model gateway's loopback port and what the server's environment says about it. Apart
// from gateway-server.ts (the API handlers, the router) so that `mcp-route run` can bind the
// port, and so know the server's whole environment, before any of that is loaded: the server
// is spawned first and boots while the rest loads (src/cli/early-start.ts).
// The port is a plain TCP listener; node:http loads at the first connection, when the server
// first calls a model: an idle proxy whose server never does so holds no HTTP code (about
// 0.4 MiB of an idle `mcp-route run`, bench/startup.ts).

import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { randomHex } from '../util/random-bytes.js';
import type { GatewayApis } from './apis.js';

export type GatewayHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface GatewayPort {
  /** The listening socket; its connections are handed to an HTTP server (closeGatewayPort closes both). */
  server: Server;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The per-run key a caller must present. */
  token: string;
  /** From now on requests go to `handler`; those that arrived before it was given go there first, in order. */
  serve(handler: GatewayHandler): void;
}

/** Listens on 127.0.0.1, on a port the system picks; requests wait until `serve` is called. */
export async function bindGatewayPort(token: string = randomHex(32)): Promise<GatewayPort> {
  const waiting: Array<[IncomingMessage, ServerResponse]> = [];
  let handler: GatewayHandler | undefined;
  let http: Promise<HttpServer> | undefined;
  // pauseOnConnect: nothing is read from a connection before the HTTP server has taken it.
  // noDelay, as node:http's own listener sets: otherwise Nagle's algorithm holds a streamed
  // event until the client ACKs the one before, which a client taking calls back to back
  // delays (bench/gaps-gateway.ts: a gap over 20 ms in 180 of 200 calls before, 1 after).
  const server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    http ??= httpServerFor((req, res) => (handler ? handler(req, res) : void waiting.push([req, res])));
    http.then(
      (h) => {
        h.emit('connection', socket);
        // A connection paused on connect reads nothing until resumed; it now reads into the HTTP parser.
        socket.resume();
      },
      () => socket.destroy(),
    );
  });
  (server as PortServer)[HTTP_SERVER] = () => http;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve());
    listenOnLoopback(server);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    token,
    serve(next) {
      handler = next;
      for (const [req, res] of waiting.splice(0)) next(req, res);
    },
  };
}

type Listen2 = (this: Server, address: string, port: number, addressType: number, backlog: number) => void;

/**
 * server.listen(0, '127.0.0.1') without the two modules listen() loads before it binds, at the
 * bin's start before the server's spawn: a host, even an IP address, goes through node:dns
 * (c-ares, which also reads /etc/resolv.conf), and every listen asks node:cluster whether this
 * process is a cluster worker. `_listen2` is the step listen() ends with in a process that is
 * not one (net.js keeps the name as a legacy alias, for code that wraps it); it binds and emits
 * 'listening' or 'error' as listen() does. mcp-route never runs as a cluster worker, and this
 * port is its own. Where a Node has no `_listen2`, listen() as before.
 */
function listenOnLoopback(server: Server): void {
  const listen2 = (server as Server & { _listen2?: Listen2 })._listen2;
  if (typeof listen2 === 'function') listen2.call(server, '127.0.0.1', 0, 4, 511);
  else server.listen(0, '127.0.0.1');
}

/** The variables the child gets so the official SDKs find the gateway unaided. */
export function gatewayChildEnv(url: string, token: string, apis: GatewayApis): Record<string, string> {
  const childEnv: Record<string, string> = {};
  // The official SDKs append /chat/completions to a base URL ending in /v1, and /v1/messages
  // to a bare origin.
  if (apis.openai) Object.assign(childEnv, { OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: token });
  if (apis.anthropic) Object.assign(childEnv, { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: token });
  return childEnv;
}

/**
 * The HTTP server a port hands its connections to, once there was a connection. Kept on the
 * listener under a registry symbol, not in a map of this module's: `run` binds the port early
 * from the bin (dist/cli/main.cjs), which has its own copy of this module, and the gateway
 * closes it from the other bundle's copy (scripts/bundle-cli.mjs).
 */
const HTTP_SERVER = Symbol.for('mcp-route.gateway-http-server');
type PortServer = Server & { [HTTP_SERVER]?: () => Promise<HttpServer> | undefined };

async function httpServerFor(onRequest: GatewayHandler): Promise<HttpServer> {
  const { createServer: createHttpServer } = await import('node:http');
  const http = createHttpServer(onRequest);
  // Keep-alive sockets would hold close() open; callers reconnect cheaply on loopback.
  http.keepAliveTimeout = 5_000;
  // An HTTP server starts tracking its connections on 'listening' (the headersTimeout and
  // requestTimeout checks, closeAllConnections); this one never listens itself.
  http.emit('listening');
  return http;
}

/** Stops listening and ends every connection, idle or not; resolves once all are closed. */
export function closeGatewayPort(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    void (server as PortServer)[HTTP_SERVER]?.()?.then((http) => {
      http.close();
      http.closeAllConnections();
    });
  });
}
