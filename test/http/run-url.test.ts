// `mcp-route run --url`: real SDK hosts without sampling speak stdio to the built CLI, which
// speaks Streamable HTTP (the SDK v2 client transport) to real SDK servers on 127.0.0.1:
// a v1 sessionful server behind a bearer token from the environment whose tool samples the
// 2025 way, and a v2 server whose tool asks through input_required (2026-07-28). Sampling is
// answered by the policy; 401, an unreachable port, cancellation, the DELETE at exit and the
// redaction of header values are checked on the wire and in stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { CLI, ROOT, e2e, tempDir, writePolicy } from '../e2e/harness.js';
import { runCli } from '../helpers/cli.js';
import { startV1HttpServer, startV2HttpServer } from '../helpers/http-servers.js';

const POLICY = `version: 1
providers: { canned: { type: mock, responses: [{ text: "answered by policy" }] } }
models: { m: { provider: canned } }
state: { store: memory }
`;
const TOKEN = 'tok-0123456789-secret';

function runArgs(url: string, extra: string[] = [], policy = POLICY): string[] {
  return [CLI, 'run', '--policy', writePolicy(tempDir(), policy), '--log-level', 'debug', '--grace', '2s', '--url', url, ...extra];
}

async function v1Host(url: string, env: Record<string, string>, extra: string[] = [], policy = POLICY) {
  const transport = new StdioClientTransport({ command: process.execPath, args: runArgs(url, extra, policy), env: { ...(process.env as Record<string, string>), ...env }, cwd: ROOT, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'host-without-sampling', version: '1.0.0' }, { capabilities: {} });
  return { client, transport, stderr: () => stderr, connect: () => client.connect(transport) };
}

const firstText = (r: unknown) => (r as { content: Array<{ text: string }> }).content[0]!.text;

/** Resolves when `check` holds (polling what the server recorded), never a fixed sleep. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a 2025 session over HTTP: bearer header from the environment, sampling answered by the policy, session headers, cancellation, DELETE at exit', e2e, async () => {
  const server = await startV1HttpServer(TOKEN);
  const host = await v1Host(server.url, { REMOTE_TOKEN: TOKEN }, ['--header', 'Authorization: Bearer ${REMOTE_TOKEN}']);
  try {
    await host.connect();
    assert.equal(firstText(await host.client.callTool({ name: 'echo', arguments: { text: 'hi' } })), 'hi');
    // A long request reaches mcp-route in pieces that may split a UTF-8 character: it arrives whole.
    const long = 'ü€𝄞'.repeat(40_000);
    assert.equal(firstText(await host.client.callTool({ name: 'echo', arguments: { text: long } })), long);
    assert.equal(firstText(await host.client.callTool({ name: 'ask', arguments: { q: 'what?' } })), 'sampled: answered by policy');

    // Cancelling the host's call reaches the server (its tool sees the abort).
    const controller = new AbortController();
    const slow = host.client.callTool({ name: 'slow', arguments: { tag: 'c1' } }, undefined, { signal: controller.signal });
    await until(() => server.seen.filter((s) => s.method === 'POST').length >= 6, 'the slow call to reach the server');
    controller.abort();
    await assert.rejects(slow);
    await until(() => server.cancelled.includes('c1'), 'the server to see the cancellation');

    const posts = server.seen.filter((s) => s.method === 'POST');
    const sessionId = posts[1]!.headers['mcp-session-id'];
    assert.ok(typeof sessionId === 'string' && sessionId.length > 0, 'requests after initialize carry the session id');
    assert.equal(posts[0]!.headers['mcp-session-id'], undefined);
    for (const p of posts.slice(1)) assert.ok(p.headers['mcp-protocol-version'], 'MCP-Protocol-Version after initialize');
    assert.ok(
      server.seen.some((s) => s.method === 'GET' && s.headers['mcp-session-id'] === sessionId),
      'the SSE stream is opened',
    );

    await host.client.close();
    await until(() => server.seen.some((s) => s.method === 'DELETE' && s.headers['mcp-session-id'] === sessionId), 'the DELETE that ends the session');
    assert.ok(!host.stderr().includes(TOKEN), 'the token never reaches stderr');
  } finally {
    await host.client.close().catch(() => {});
    await server.close();
  }
});

test('2026-07-28 over HTTP: the input_required round is answered by the policy and the host sees only the final result', e2e, async () => {
  const server = await startV2HttpServer();
  const transport = new StdioClientTransportV2({ command: process.execPath, args: runArgs(server.url), cwd: ROOT, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new ClientV2({ name: 'v2-host', version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  try {
    await client.connect(transport);
    const result = await client.callTool({ name: 'ask', arguments: { q: 'modern?' } });
    assert.equal(firstText(result), 'sampled: answered by policy; state: asked', stderr);
    const calls = server.seen.filter((s) => s.method === 'POST' && s.headers['mcp-method'] === 'tools/call');
    assert.equal(calls.length, 2, "the first leg and mcp-route's own retry");
    for (const c of calls) assert.equal(c.headers['mcp-protocol-version'], '2026-07-28');

    // Cancelling a 2026 call aborts its HTTP request: the server's handler sees the abort.
    const controller = new AbortController();
    const slow = client.callTool({ name: 'slow', arguments: { tag: 'm1' } }, { signal: controller.signal });
    await until(() => server.seen.some((s) => s.headers['mcp-method'] === 'tools/call' && s.headers['mcp-name'] === 'slow'), 'the slow call to reach the server');
    controller.abort();
    await assert.rejects(slow);
    await until(() => server.cancelled.includes('m1'), 'the server to see the aborted request');
  } finally {
    await client.close().catch(() => {});
    await server.close();
  }
});

test('401 answers the host at once with an error that names it; the token is redacted from every line', e2e, async () => {
  const server = await startV1HttpServer(TOKEN);
  const wrong = 'wrong-token-abcdef123';
  const host = await v1Host(server.url, { REMOTE_TOKEN: wrong }, ['--header', 'Authorization: Bearer ${REMOTE_TOKEN}']);
  try {
    const started = Date.now();
    await assert.rejects(host.connect(), (err: Error) => /HTTP 401 Unauthorized/.test(err.message) && /127\.0\.0\.1:\d+/.test(err.message));
    assert.ok(Date.now() - started < 8_000, 'at once, not after a timeout');
    await until(() => /401/.test(host.stderr()), 'the 401 in the log');
    assert.ok(!host.stderr().includes(wrong), host.stderr());
    assert.match(host.stderr(), /\[redacted\]/, 'the server echoed the header; the log line shows it redacted');
  } finally {
    await host.client.close().catch(() => {});
    await server.close();
  }
});

test('without a header or a stored sign-in, a 401 says to run mcp-route auth', e2e, async () => {
  const server = await startV1HttpServer(TOKEN);
  const host = await v1Host(server.url, { XDG_STATE_HOME: tempDir() });
  try {
    await assert.rejects(host.connect(), /requires an OAuth sign-in .*run `mcp-route auth http:\/\/127\.0\.0\.1:\d+\/mcp` first/);
  } finally {
    await host.client.close().catch(() => {});
    await server.close();
  }
});

test('an unreachable URL is named with its host and port', e2e, async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const host = await v1Host(`http://127.0.0.1:${port}/mcp`, {});
  try {
    await assert.rejects(host.connect(), new RegExp(`cannot reach the server at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  } finally {
    await host.client.close().catch(() => {});
  }
});

test('a policy that turns the model gateway on gets a warning with --url, and no gateway is started', e2e, async () => {
  const server = await startV1HttpServer(TOKEN);
  const withGateway = `${POLICY}gateway: { openai: true }\n`;
  const host = await v1Host(server.url, { REMOTE_TOKEN: TOKEN }, ['--header', 'Authorization: Bearer ${REMOTE_TOKEN}'], withGateway);
  try {
    await host.connect();
    assert.equal(firstText(await host.client.callTool({ name: 'echo', arguments: { text: 'still works' } })), 'still works');
    assert.match(host.stderr(), /the policy turns on the model gateway \(openai\), but with --url there is no child to point at it: not started/);
    assert.doesNotMatch(host.stderr(), /model gateway on http/, 'no gateway listens');
  } finally {
    await host.client.close().catch(() => {});
    await server.close();
  }
  // Without a gateway in the policy, nothing is said about one.
  const plain = await startV1HttpServer(TOKEN);
  const quiet = await v1Host(plain.url, { REMOTE_TOKEN: TOKEN }, ['--header', 'Authorization: Bearer ${REMOTE_TOKEN}']);
  try {
    await quiet.connect();
    await quiet.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    assert.doesNotMatch(quiet.stderr(), /gateway/);
  } finally {
    await quiet.client.close().catch(() => {});
    await plain.close();
  }
});

test('bad --url and --header usage are refused before anything starts', e2e, async () => {
  const policy = writePolicy(tempDir(), POLICY);
  const both = await runCli(['run', '--policy', policy, '--url', 'http://127.0.0.1:1/mcp', '--', 'node', 'x.js']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --url or a server command/);
  const scheme = await runCli(['run', '--policy', policy, '--url', 'file:///etc/passwd']);
  assert.equal(scheme.code, 2);
  assert.match(scheme.stderr, /http:\/\/ or https:\/\//);
  const unset = await runCli(['run', '--policy', policy, '--url', 'http://127.0.0.1:1/mcp', '--header', 'Authorization: Bearer ${NOT_SET_ANYWHERE}'], {
    env: { ...process.env, NOT_SET_ANYWHERE: undefined },
  });
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /Authorization reads \$\{NOT_SET_ANYWHERE\}, which is not set/);
  const noUrl = await runCli(['run', '--policy', policy, '--header', 'X-A: b', '--', 'node', 'x.js']);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /--header and --header-file need --url/);
});

/**
 * A loopback fake of a faulty server (no SDK server answers this way): it accepts every
 * tools/call with 202 and no stream, and answers only if and when the test writes to its GET
 * SSE stream. initialize and ping are answered as JSON.
 */
async function startAcceptingServer() {
  let sse: ServerResponse | undefined;
  const accepted: unknown[] = [];
  const server = createHttpServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      sse = res;
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(200).end();
      return;
    }
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: unknown; method?: string; params?: { protocolVersion?: string } };
      const json = (result: unknown) => res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'fake-session' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      if (message.method === 'initialize') json({ protocolVersion: message.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'accepts-never-answers', version: '1' } });
      else if (message.method === 'ping') json({});
      else {
        if (message.method === 'tools/call') accepted.push(message.id);
        res.writeHead(202).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    accepted,
    hasStream: () => sse !== undefined,
    /** The answer to request `id`, on the GET stream. */
    answerOnStream: (id: number, text: string) => sse!.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }] } })}\n\n`),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('a request accepted with 202 and never answered gets one error after the policy deadline; a late answer is dropped, one in time passes', e2e, async () => {
  const server = await startAcceptingServer();
  const child = spawn(process.execPath, runArgs(server.url, [], `${POLICY}defaults: { deadline: 1s }\n`), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const { lines, send, answerTo } = rawHost(child);
  try {
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-host', version: '1' } } });
    await answerTo(1);
    send({ method: 'notifications/initialized' });
    await until(() => server.hasStream(), 'the GET stream');

    const started = Date.now();
    send({ id: 2, method: 'tools/call', params: { name: 'never', arguments: {} } });
    const error = await answerTo(2);
    const waited = Date.now() - started;
    assert.match(error.error?.message ?? '', /127\.0\.0\.1:\d+ accepted the request \(HTTP 202\) but sent no answer within 1000 ms/);
    assert.equal(error.error?.data?.reason, 'NO_ANSWER');
    assert.ok(waited >= 900 && waited < 8_000, `answered after the deadline, not before and not never (${waited} ms)`);

    // The answer to 2 comes after its error: dropped. An answer on the stream within the wait passes.
    server.answerOnStream(2, 'too late');
    send({ id: 3, method: 'tools/call', params: { name: 'later', arguments: {} } });
    await until(() => server.accepted.includes(3), 'the server to accept 3');
    server.answerOnStream(3, 'late but in time');
    assert.equal((await answerTo(3)).result?.content?.[0]?.text, 'late but in time');
    send({ id: 4, method: 'ping' });
    await answerTo(4);
    assert.equal(lines.filter((l) => l.id === 2).length, 1, 'request 2 got exactly one answer');
    assert.ok(!lines.some((l) => l.error && l.id === 3), 'no error for the request answered in time');
  } finally {
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
    await server.close();
  }
});

/**
 * A loopback fake answering each tools/call on its POST's event stream, as the tool's name
 * says: `lines` (a log notification first, then the answer as JSON spread over three `data:`
 * lines, written in two pieces), `ends` (a notification, then the stream ends unanswered),
 * `resumable` (a priming event with an id, then the stream ends; the answer comes on the GET
 * that resumes it with Last-Event-ID); `json` and `not-rpc` are answered with JSON (the answer
 * spread over lines, or an object that is no JSON-RPC message).
 */
async function startStreamingServer() {
  const resumedWith: string[] = [];
  let resumable: unknown;
  const server = createHttpServer((req, res) => {
    const sse = () => res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (message: unknown) => `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', ...(message as object) })}\n\n`;
    if (req.method === 'GET') {
      const last = req.headers['last-event-id'];
      sse().flushHeaders();
      if (typeof last !== 'string') return;
      resumedWith.push(last);
      res.end(event({ id: resumable, result: { content: [{ type: 'text', text: 'after resuming' }] } }));
      return;
    }
    if (req.method !== 'POST') return void res.writeHead(200).end();
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: unknown; method?: string; params?: { name?: string; protocolVersion?: string } };
      const answer = (text: string) => ({ id: message.id, result: { content: [{ type: 'text', text }] } });
      if (message.method === 'initialize') {
        const result = { protocolVersion: message.params?.protocolVersion, capabilities: { tools: {}, logging: {} }, serverInfo: { name: 'streams', version: '1' } };
        return void res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'streams-session' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      }
      if (message.method === 'ping') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }));
      if (message.method !== 'tools/call') return void res.writeHead(202).end();
      const json = (body: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      if (message.params?.name === 'json') return json(`${JSON.stringify({ jsonrpc: '2.0', ...answer('as JSON ü') }, null, 2)}\n`);
      if (message.params?.name === 'not-rpc') return json('{"hello":"world"}');
      sse();
      const log = event({ method: 'notifications/message', params: { level: 'info', data: `working on ${message.params?.name}` } });
      if (message.params?.name === 'lines') {
        const spread = JSON.stringify({ jsonrpc: '2.0', ...answer('over three lines ü') }, null, 1).split('\n');
        const text = `${log}event: message\ndata: ${spread.slice(0, 2).join('\ndata: ')}\ndata: ${spread.slice(2).join('')}\n\n`;
        res.write(text.slice(0, text.length - 20));
        setTimeout(() => res.end(text.slice(text.length - 20)), 50);
      } else if (message.params?.name === 'ends') res.end(log);
      else {
        resumable = message.id;
        res.end('id: prime-1\ndata: \n\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    resumedWith,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test(
  'event-stream and JSON answers: data over several lines and pieces, a stream that ends unanswered (one error), a resumable stream resumed by the SDK, JSON that is no JSON-RPC (one error)',
  e2e,
  async () => {
    const server = await startStreamingServer();
    const child = spawn(process.execPath, runArgs(server.url), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const { lines, send, answerTo } = rawHost(child);
    try {
      send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-host', version: '1' } } });
      await answerTo(1);
      send({ method: 'notifications/initialized' });

      send({ id: 2, method: 'tools/call', params: { name: 'lines', arguments: {} } });
      assert.equal((await answerTo(2)).result?.content?.[0]?.text, 'over three lines ü');
      assert.ok(lines.findIndex((l) => l.method === 'notifications/message' && l.params?.data === 'working on lines') < lines.findIndex((l) => l.id === 2), 'the notification before its answer');

      send({ id: 3, method: 'tools/call', params: { name: 'ends', arguments: {} } });
      const ended = await answerTo(3);
      assert.equal(ended.error?.data?.reason, 'STREAM_ENDED');
      assert.match(ended.error?.message ?? '', /closed the response stream without answering/);

      send({ id: 4, method: 'tools/call', params: { name: 'resumable', arguments: {} } });
      assert.equal((await answerTo(4)).result?.content?.[0]?.text, 'after resuming');
      assert.deepEqual(server.resumedWith, ['prime-1']);

      // JSON answers: one over several lines passes whole; a body that is no JSON-RPC message still gets the request one error.
      send({ id: 6, method: 'tools/call', params: { name: 'json', arguments: {} } });
      assert.equal((await answerTo(6)).result?.content?.[0]?.text, 'as JSON ü');
      send({ id: 7, method: 'tools/call', params: { name: 'not-rpc', arguments: {} } });
      assert.match((await answerTo(7)).error?.message ?? '', /mcp-route: the request to 127\.0\.0\.1:\d+ failed/);

      send({ id: 5, method: 'ping' });
      await answerTo(5);
      for (const id of [2, 3, 4, 6, 7]) assert.equal(lines.filter((l) => l.id === id).length, 1, `request ${id} got exactly one answer`);
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
      await server.close();
    }
  },
);

interface HostLine {
  id?: unknown;
  method?: string;
  params?: { data?: string };
  result?: { content?: Array<{ text: string }> };
  error?: { message: string; data?: { reason?: string } };
}

/** A host written by hand on `run --url`'s stdio: what it received, line by line, and how to send and wait. */
function rawHost(child: ChildProcessWithoutNullStreams) {
  let stderrText = '';
  child.stderr.on('data', (d: Buffer) => (stderrText += d));
  const lines: HostLine[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line)));
  const send = (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  const answerTo = async (id: number) => {
    await until(() => lines.some((l) => l.id === id), `the answer to ${id}; stderr: ${stderrText}`);
    return lines.find((l) => l.id === id)!;
  };
  return { lines, send, answerTo, stderr: () => stderrText };
}
