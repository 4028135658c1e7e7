// Server-sent events read as they arrive: from httpFetch's live body (handed over inside the
// socket's callbacks) and from any other Response's body, with the SDKs' parsing rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpFetch } from '../../src/providers/http-fetch.js';
import { MAX_SSE_EVENT_CHARS, readSseEvents, type SseEvent } from '../../src/providers/sse-events.js';

/** A server whose one answer is written by `write`, as server-sent events. */
async function serve(write: (res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    write(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Line ends of every kind, a \r\n and a multi-byte character split across writes, a comment,
// two data lines, an event named and one not, and an event the body ends inside (dropped).
const PARTS = ['data: {"a":1}\r', '\n\r\n: a comment\nevent: named\ndata: one\ndata: two\n\n', 'data: caf\xc3', '\xa9\rdata:no-space\r\r', 'data: cut off'];
const EXPECTED: SseEvent[] = [
  { event: null, data: '{"a":1}' },
  { event: 'named', data: 'one\ntwo' },
  { event: null, data: 'café\nno-space' },
];

function writeParts(res: ServerResponse, parts: string[], i = 0): void {
  if (i === parts.length) return void res.end();
  res.write(Buffer.from(parts[i]!, 'latin1'), () => setTimeout(() => writeParts(res, parts, i + 1), 5));
}

test('events arrive parsed, split anywhere, from the live body and from a web stream body alike', async () => {
  const server = await serve((res) => writeParts(res, PARTS));
  try {
    for (const fetcher of [httpFetch, fetch]) {
      const events: SseEvent[] = [];
      await readSseEvents(await fetcher(server.url), (e) => events.push(e));
      assert.deepEqual(events, EXPECTED, fetcher.name);
    }
  } finally {
    await server.close();
  }
});

test('the first event is handed over before the body ends, even after `body` was looked at', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const server = await serve((res) => {
    res.write('data: first\n\n');
    void held.then(() => res.end('data: last\n\n'));
  });
  try {
    const seen: string[] = [];
    let firstSeen!: () => void;
    const first = new Promise<void>((r) => (firstSeen = r));
    const response = await httpFetch(server.url);
    // Looking at `body` (an SDK logging it) leaves the events to the reader that reads them.
    assert.ok(response.body);
    const reading = readSseEvents(response, (e) => {
      seen.push(e.data);
      firstSeen();
    });
    await first;
    assert.deepEqual(seen, ['first']);
    release();
    await reading;
    assert.deepEqual(seen, ['first', 'last']);
  } finally {
    await server.close();
  }
});

test('a throwing reader ends the read with its error and frees the connection; a body cut short rejects', async () => {
  let closed!: () => void;
  const socketClosed = new Promise<void>((r) => (closed = r));
  const server = await serve((res) => {
    res.socket!.on('close', () => closed());
    res.write('data: not json\n\n');
  });
  try {
    const err = await readSseEvents(await httpFetch(server.url), (e) => JSON.parse(e.data)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SyntaxError);
    await socketClosed;
  } finally {
    await server.close();
  }
  const cut = await serve((res) => res.write('data: one\n\n', () => res.socket!.destroy()));
  try {
    const events: string[] = [];
    await assert.rejects(
      readSseEvents(await httpFetch(cut.url), (e) => events.push(e.data)),
      (e: Error) => e instanceof TypeError && e.message === 'terminated',
    );
    assert.deepEqual(events, ['one']);
  } finally {
    await cut.close();
  }
});

test('an abort ends the read with the signal reason', async () => {
  const server = await serve((res) => res.write('data: one\n\n'));
  try {
    const controller = new AbortController();
    const response = await httpFetch(server.url, { signal: controller.signal });
    const reason = new Error('stop');
    await assert.rejects(
      readSseEvents(response, () => controller.abort(reason)),
      (e) => e === reason,
    );
  } finally {
    await server.close();
  }
});

test('a line or an event past the bound ends the read with an error, however it is split', async () => {
  const chunk = 'x'.repeat(1 << 20);
  const cases: Array<[string, string[]]> = [
    ['a comment line never ended', [': ', ...Array(17).fill(chunk)]],
    ['an event of many data lines', Array(17).fill(`data: ${chunk}\n`)],
  ];
  for (const [what, parts] of cases) {
    const server = await serve((res) => {
      for (const part of parts) res.write(part);
      res.end('\n\n');
    });
    try {
      const events: SseEvent[] = [];
      await assert.rejects(
        readSseEvents(await httpFetch(server.url), (e) => events.push(e)),
        new RegExp(`over ${MAX_SSE_EVENT_CHARS} characters`),
        what,
      );
      assert.equal(events.length, 0, what);
    } finally {
      await server.close();
    }
  }
});
