// The loopback redirect target of a sign-in (RFC 8252 §7.3): an HTTP server on 127.0.0.1, on a
// port the system picks (or the port the client was registered with, when it is free), that
// accepts one authorization response and closes. A response whose `state` is not this sign-in's
// is refused and the wait goes on (a stray or forged request cannot end the sign-in); no answer
// within the timeout ends it with an error. Nothing from the request is echoed into the page.

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CALLBACK_PATH = '/callback';

export interface AuthorizationResponse {
  code: string;
  /** RFC 9207 issuer, when the authorization server sends it. */
  iss?: string;
}

export interface CallbackServer {
  redirectUrl: string;
  /** Settles once: the code, or an error (the server's refusal, or the timeout). */
  result: Promise<AuthorizationResponse>;
  close(): void;
}

export interface CallbackOptions {
  state: string;
  timeoutMs: number;
  /** Try this port first (the one a stored client was registered with); 0 or absent: any. */
  port?: number;
}

export async function startCallbackServer(o: CallbackOptions): Promise<CallbackServer> {
  let settle!: { resolve(r: AuthorizationResponse): void; reject(e: Error): void };
  const result = new Promise<AuthorizationResponse>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => {}); // the caller may close before awaiting it
  let done = false;
  const finish = (outcome: AuthorizationResponse | Error) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    server.close();
    server.closeAllConnections?.();
    outcome instanceof Error ? settle.reject(outcome) : settle.resolve(outcome);
  };
  const server = createServer((req, res) => {
    const outcome = judge(req, o.state, done);
    page(res, outcome.status, outcome.message);
    if (outcome.settles) finish(outcome.settles);
  });
  const port = await listen(server, o.port);
  const timer = setTimeout(() => finish(new Error(`no sign-in arrived at the callback within ${Math.round(o.timeoutMs / 1000)} s`)), o.timeoutMs);
  timer.unref();
  return { redirectUrl: `http://127.0.0.1:${port}${CALLBACK_PATH}`, result, close: () => finish(new Error('the sign-in was abandoned')) };
}

interface Judgement {
  status: number;
  message: string;
  settles?: AuthorizationResponse | Error;
}

function judge(req: IncomingMessage, state: string, done: boolean): Judgement {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return { status: 404, message: 'Not found.' };
  if (done) return { status: 410, message: 'This sign-in has already finished.' };
  const q = url.searchParams;
  if (!sameSecret(q.get('state'), state)) return { status: 400, message: 'The state of this response does not match the sign-in in progress; it was ignored.' };
  const error = q.get('error');
  if (error !== null) {
    const description = q.get('error_description');
    return {
      status: 400,
      message: 'The authorization server refused the sign-in.',
      settles: new Error(`the authorization server refused the sign-in: ${error}${description ? ` (${description})` : ''}`),
    };
  }
  const code = q.get('code');
  if (!code) return { status: 400, message: 'The response carries no authorization code.', settles: new Error('the authorization response carried no code') };
  const iss = q.get('iss');
  return { status: 200, message: 'Signed in: mcp-route has the authorization. You can close this tab.', settles: { code, ...(iss !== null ? { iss } : {}) } };
}

function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function page(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' }).end(`mcp-route: ${message}\n`);
}

async function listen(server: Server, port: number | undefined): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  if (port) {
    try {
      return await attempt(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    }
  }
  return attempt(0);
}
