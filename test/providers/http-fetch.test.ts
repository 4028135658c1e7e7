// The providers' node:http transport behaves as fetch does where the SDKs look: one kept-alive
// connection for sequential calls, server-sent events handed over as they arrive, aborts and
// broken bodies surfacing as fetch's errors, encoded bodies decoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { httpFetch, httpSend } from '../../src/providers/http-fetch.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('sequential calls share one kept-alive connection; headers, body and status travel as with fetch', async () => {
  const seen: Array<{ method?: string; auth?: string; type?: string; body: string }> = [];
  const s = await serve((req, res, body) => {
    seen.push({ method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], body });
    res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1' });
    res.end(JSON.stringify({ n: seen.length }));
  });
  try {
    for (let i = 1; i <= 3; i++) {
      const headers = new Headers({ Authorization: 'Bearer k', 'Content-Type': 'application/json' });
      const r = await httpFetch(`${s.url}/v1/x`, { method: 'POST', headers, body: JSON.stringify({ i }) });
      assert.equal(r.status, 201);
      assert.equal(r.ok, true);
      assert.equal(r.headers.get('x-request-id'), 'r1');
      assert.deepEqual(await r.json(), { n: i });
    }
    assert.deepEqual(seen[2], { method: 'POST', auth: 'Bearer k', type: 'application/json', body: '{"i":3}' });
    assert.equal(s.connections(), 1, 'one connection for three sequential calls');
    const text = await (await httpFetch(`${s.url}/t`, { method: 'GET' })).text();
    assert.equal(text, '{"n":4}');
  } finally {
    await s.close();
  }
});

test('every form of headers arrives once each, lowercased, with the Host and content-length fetch would send', async () => {
  const seen: string[][] = [];
  const s = await serve((req, res) => {
    seen.push(req.rawHeaders);
    res.end('{}');
  });
  const port = new URL(s.url).port;
  // What the server got, without the connection header the keep-alive agent adds.
  const pairs = (raw: string[]) => Object.fromEntries(raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() !== 'connection' ? [[v, raw[i + 1]]] : [])));
  try {
    await httpSend(`${s.url}/a`, { method: 'POST', headers: { authorization: 'Bearer k', 'x-one': '1' }, body: 'abc' });
    assert.deepEqual(pairs(seen[0]!), { authorization: 'Bearer k', 'x-one': '1', host: `127.0.0.1:${port}`, 'content-length': '3' });
    // Names differing only in case are one header (the last given wins, as with fetch's Headers).
    await httpSend(`${s.url}/b`, { method: 'POST', headers: { 'X-Two': 'a', 'x-two': 'b', Host: 'example.test' }, body: 'abcd' });
    assert.deepEqual(pairs(seen[1]!), { 'x-two': 'b', host: 'example.test', 'content-length': '4' });
    await httpSend(`${s.url}/c`, { method: 'POST', headers: [['X-Three', '3']], body: '' });
    assert.deepEqual(pairs(seen[2]!), { 'x-three': '3', host: `127.0.0.1:${port}`, 'content-length': '0' });
    await httpSend(`${s.url}/d`, { method: 'GET', headers: new Headers({ 'X-Four': '4' }) });
    assert.deepEqual(pairs(seen[3]!), { 'x-four': '4', host: `127.0.0.1:${port}` });
  } finally {
    await s.close();
  }
});

test('server-sent events reach the reader before the response ends; a body read as a stream works too', async () => {
  let release!: () => void;
  const rest = new Promise<void>((resolve) => (release = resolve));
  const s = await serve((req, res) => {
    if (req.url === '/plain') return void res.end('{"whole":true}');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: one\n\n');
    void rest.then(() => res.end('data: two\n\n'));
  });
  try {
    const r = await httpFetch(`${s.url}/events`, { method: 'POST', body: '{}' });
    const reader = r.body!.getReader();
    const first = await reader.read();
    assert.equal(Buffer.from(first.value!).toString(), 'data: one\n\n', 'the first event arrives while the server still holds the rest');
    release();
    const second = await reader.read();
    assert.equal(Buffer.from(second.value!).toString(), 'data: two\n\n');
    assert.equal((await reader.read()).done, true);

    const plain = await httpFetch(`${s.url}/plain`);
    const bytes = await new Response(plain.body).text();
    assert.equal(bytes, '{"whole":true}');
  } finally {
    await s.close();
  }
});

test('aborts, refused connections and bodies cut short fail as fetch fails', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return void res.write('data: one\n\n');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"cut":');
    setTimeout(() => res.destroy(), 10);
  });
  try {
    const before = new AbortController();
    const hanging = httpFetch(`${s.url}/hang`, { signal: before.signal });
    setTimeout(() => before.abort(), 20);
    await assert.rejects(hanging, (e: unknown) => (e as Error).name === 'AbortError');

    const during = new AbortController();
    const r = await httpFetch(`${s.url}/events`, { signal: during.signal });
    const reader = r.body!.getReader();
    await reader.read();
    during.abort();
    await assert.rejects(reader.read(), (e: unknown) => (e as Error).name === 'AbortError');

    const cut = await httpFetch(`${s.url}/cut`);
    await assert.rejects(cut.json(), (e: unknown) => e instanceof TypeError && e.message === 'terminated');

    const port = new URL(s.url).port;
    await s.close();
    await assert.rejects(httpFetch(`${s.url}/gone`), (e: unknown) => e instanceof TypeError && e.message === 'fetch failed' && (e.cause as { code?: string }).code === 'ECONNREFUSED' && port !== '');
  } finally {
    await s.close();
  }
});

test('a gzip-encoded body is decoded; a 204 has no body', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/empty') {
      res.writeHead(204);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ zipped: 'yes' })));
  });
  try {
    assert.deepEqual(await (await httpFetch(`${s.url}/z`)).json(), { zipped: 'yes' });
    const empty = await httpFetch(`${s.url}/empty`);
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
  } finally {
    await s.close();
  }
});

/**
 * A raw HTTP/1.1 server whose `onRequest(n, socket, connection)` answers (or not) the n-th
 * request it reads, across connections; each request is one small POST or GET.
 */
async function rawServer(onRequest: (n: number, socket: Socket, connection: number) => void) {
  let requests = 0;
  let connections = 0;
  const server = createNetServer((socket) => {
    const connection = ++connections;
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString();
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.slice(end + 4 + length);
      onRequest(++requests, socket, connection);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    requests: () => requests,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const okAnswer = (n: number) => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${String(n).length + 6}\r\nConnection: keep-alive\r\n\r\n{"n":${n}}`;

/** What run --url asks for; the providers do not (their router counts a failed call). */
const STALE = { retryOnStaleSocket: true };

test('a kept-alive connection the server closed as a request went out: the request is sent once more, on a new connection (when asked)', async () => {
  const s = await rawServer((n, socket) => {
    // The second request arrives on the idle connection the server is closing: reset, unanswered.
    if (n === 2) socket.resetAndDestroy();
    else socket.write(okAnswer(n));
  });
  try {
    assert.deepEqual(await (await httpSend(s.url, { method: 'POST', body: '{}' }, STALE)).json(), { n: 1 });
    assert.deepEqual(await (await httpSend(s.url, { method: 'POST', body: '{}' }, STALE)).json(), { n: 3 });
    assert.equal(s.requests(), 3);
    assert.equal(s.connections(), 2, 'the retry went on a new connection');
  } finally {
    await s.close();
  }

  // Not asked (the providers): the failure is the caller's.
  const plain = await rawServer((n, socket) => {
    if (n === 2) socket.resetAndDestroy();
    else socket.write(okAnswer(n));
  });
  try {
    await (await httpFetch(plain.url, { method: 'POST', body: '{}' })).text();
    await assert.rejects(httpFetch(plain.url, { method: 'POST', body: '{}' }), (err: Error & { cause?: { code?: string } }) => err instanceof TypeError && err.cause?.code === 'ECONNRESET');
    assert.equal(plain.requests(), 2, 'not sent again');
  } finally {
    await plain.close();
  }
});

test('a hang-up on a reused connection before any answer is retried too; after a byte of answer, or on a new connection, it is not', async () => {
  const hangUp = await rawServer((n, socket) => {
    if (n === 2) socket.end();
    else socket.write(okAnswer(n));
  });
  try {
    await (await httpSend(hangUp.url, { method: 'POST', body: '{}' }, STALE)).text();
    assert.deepEqual(await (await httpSend(hangUp.url, { method: 'POST', body: '{}' }, STALE)).json(), { n: 3 });
  } finally {
    await hangUp.close();
  }

  // Part of an answer came: the server had the request, so it is never sent twice.
  const partial = await rawServer((n, socket) => {
    if (n === 2) {
      socket.write('HTTP/1.1 200 OK\r\n');
      setTimeout(() => socket.resetAndDestroy(), 20);
    } else socket.write(okAnswer(n));
  });
  try {
    await (await httpSend(partial.url, { method: 'POST', body: '{}' }, STALE)).text();
    await assert.rejects(httpSend(partial.url, { method: 'POST', body: '{}' }, STALE), (err: Error & { cause?: { code?: string } }) => err instanceof TypeError && err.cause?.code === 'ECONNRESET');
    assert.equal(partial.requests(), 2, 'not sent again');
  } finally {
    await partial.close();
  }

  // A new connection reset: nothing says the request was not taken.
  const fresh = await rawServer((_n, socket) => socket.resetAndDestroy());
  try {
    await assert.rejects(httpSend(fresh.url, { method: 'POST', body: '{}' }, STALE), (err: Error & { cause?: { code?: string } }) => err instanceof TypeError && err.cause?.code === 'ECONNRESET');
    assert.equal(fresh.requests(), 1, 'not sent again');
  } finally {
    await fresh.close();
  }
});
