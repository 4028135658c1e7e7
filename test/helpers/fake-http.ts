// A scriptable HTTP server on 127.0.0.1 (port 0) standing in for a model API in tests.
// It records every request (method, path, headers, parsed JSON body) and answers each
// call from a queue of replies, so a test can stage 429s, resets, garbage or slowness.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer. Fields combine: e.g. `{ delay: 50, status: 503 }`. */
export interface FakeReply {
  /** HTTP status; default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON (content-type application/json). */
  body?: unknown;
  /** Sent verbatim instead of `body`, e.g. a malformed JSON string. */
  raw?: string;
  /** ms to wait before answering; the wait ends early when the client goes away. */
  delay?: number;
  /** Destroy the socket without answering (a dropped connection). */
  drop?: boolean;
  /** Send headers and the first half of the body, then destroy the socket. */
  resetMidBody?: boolean;
  /** Send the body in `chunks` pieces, `intervalMs` apart (a slow trickle). */
  trickle?: { chunks: number; intervalMs: number };
}

export type Responder = (request: RecordedRequest) => FakeReply;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  body: any;
  rawBody: string;
}

export interface FakeHttpServer {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Queue replies for the next calls, in order. When the queue is empty the default responder answers. */
  enqueue(...replies: FakeReply[]): void;
  /** Replace the responder used when the queue is empty. */
  setDefault(responder: Responder): void;
  /** Resolves when at least `n` requests have arrived. */
  waitForRequests(n: number): Promise<void>;
  /** Resolves when the client side of the n-th request (1-based) has closed its connection or finished. */
  waitForClose(n: number): Promise<void>;
  /** Forget recorded requests and queued replies. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeHttpServer(defaultResponder: Responder): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  let responder = defaultResponder;
  const sockets = new Set<Socket>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const closed: boolean[] = [];
  const closeWaiters: Array<{ n: number; resolve: () => void }> = [];

  const notify = () => {
    for (const w of [...waiters]) {
      if (requests.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
    for (const w of [...closeWaiters]) {
      if (closed[w.n - 1]) {
        closeWaiters.splice(closeWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, rawBody };
      requests.push(recorded);
      const index = requests.length - 1;
      const markClosed = () => {
        if (closed[index]) return;
        closed[index] = true;
        notify();
      };
      res.on('close', markClosed);
      notify();
      const reply = queue.shift() ?? responder(recorded);
      void answer(req, res, reply);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function answer(req: IncomingMessage, res: ServerResponse, reply: FakeReply): Promise<void> {
    if (reply.delay) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, reply.delay);
        res.on('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (res.destroyed || req.socket.destroyed) return;
    }
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    const headers: Record<string, string> = { 'content-type': 'application/json', ...reply.headers };
    if (reply.resetMidBody) {
      res.writeHead(reply.status ?? 200, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))), () => req.socket.destroy());
      return;
    }
    if (reply.trickle) {
      res.writeHead(reply.status ?? 200, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      const n = Math.max(1, reply.trickle.chunks);
      const size = Math.ceil(text.length / n);
      for (let i = 0; i < n; i++) {
        if (res.destroyed) return;
        res.write(text.slice(i * size, (i + 1) * size));
        if (i < n - 1) await new Promise((r) => setTimeout(r, reply.trickle!.intervalMs));
      }
      res.end();
      return;
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    setDefault: (r) => void (responder = r),
    waitForRequests: (n) => (requests.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    waitForClose: (n) => (closed[n - 1] ? Promise.resolve() : new Promise<void>((resolve) => closeWaiters.push({ n, resolve }))),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      closed.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
