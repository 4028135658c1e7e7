// `mcp-route serve` end to end: the built CLI serves the fixture stdio server over Streamable
// HTTP; real SDK clients (without sampling) connect over HTTP on 127.0.0.1, two sessions at once,
// each with its own child; sampling is answered by the policy; DELETE ends a session; Host,
// Origin, the session cap and a non-loopback bind without a token are refused; /metrics counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableHTTPClientTransportV2 } from '@modelcontextprotocol/client';
import { CLI, ROOT, FIXTURE, e2e, tempDir } from '../e2e/harness.js';

const MRTR_FIXTURE = join(ROOT, 'test/helpers/mcp-fixtures/mrtr-server.mjs');

/** Resolves when `check` holds, polling; never a fixed sleep. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
import { runCli } from '../helpers/cli.js';

const POLICY = `version: 1
providers:
  canned: { type: mock, responses: [{ text: "served over http" }] }
models:
  m: { provider: canned }
state: { store: memory }
budgets:
  - { name: shared, rpm: 1000 }
`;

async function startServe(extra: string[] = [], server = FIXTURE, env: NodeJS.ProcessEnv = process.env) {
  const dir = tempDir();
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  const child = spawn(process.execPath, [CLI, 'serve', '--policy', join(dir, 'policy.yaml'), '--port', '0', ...extra, '--', process.execPath, server], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = / at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    url,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      if (code === null) process.kill(-child.pid!, 'SIGKILL');
      return code;
    },
  };
}

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: 'http-host', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return { client, transport };
}

async function sampleText(client: Client): Promise<any> {
  const r = await client.callTool({ name: 'sample', arguments: { prompt: 'hello over http' } });
  return JSON.parse((r.content as Array<{ text: string }>)[0]!.text);
}

function rawPost(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

test('two HTTP sessions at once, each answered by the policy through its own child; DELETE ends one; /metrics counts', { ...e2e, timeout: 60_000 }, async () => {
  const serve = await startServe(['--max-sessions', '2']);
  try {
    const a = await connect(serve.url);
    const b = await connect(serve.url);
    assert.notEqual(a.transport.sessionId, b.transport.sessionId);
    const [ra, rb] = await Promise.all([sampleText(a.client), sampleText(b.client)]);
    assert.equal(ra.ok, true, JSON.stringify(ra));
    assert.equal(ra.result.content.text, 'served over http');
    assert.equal(rb.result.content.text, 'served over http');
    // Each session has its own server process.
    const pidA = JSON.parse(((await a.client.callTool({ name: 'pid', arguments: {} })).content as any)[0].text).pid;
    const pidB = JSON.parse(((await b.client.callTool({ name: 'pid', arguments: {} })).content as any)[0].text).pid;
    assert.ok(pidA && pidB && pidA !== pidB, `pids ${pidA} ${pidB}`);

    // The session cap: a third initialize gets 503.
    const third = await rawPost(serve.url, {}, INIT);
    assert.equal(third.status, 503);
    assert.match(third.text, /session limit/);

    const metrics = await (await fetch(serve.url.replace(/\/mcp$/, '/metrics'))).text();
    assert.match(metrics, /^mcp_route_requests_total\{outcome="ok",server="fixture-server",entry="sampling"\} 2$/m);
    assert.match(metrics, /^mcp_route_sessions 2$/m);

    // DELETE ends the session; its id is unknown afterwards.
    const gone = a.transport.sessionId!;
    await a.transport.terminateSession();
    const after = await rawPost(serve.url, { 'mcp-session-id': gone }, { jsonrpc: '2.0', id: 9, method: 'tools/list' });
    assert.equal(after.status, 404);
    assert.equal((await sampleText(b.client)).ok, true, 'the other session is unaffected');
    await b.client.close();
  } finally {
    assert.equal(await serve.stop(), 0);
  }
});

test('a foreign Host or Origin is refused before anything is spawned; so is a non-loopback bind without a token', { ...e2e, timeout: 40_000 }, async () => {
  const serve = await startServe();
  try {
    const host = await rawPost(serve.url, { host: 'evil.example:80' }, INIT);
    assert.equal(host.status, 403);
    assert.match(host.text, /Host/);
    const origin = await rawPost(serve.url, { origin: 'http://evil.example' }, INIT);
    assert.equal(origin.status, 403);
    assert.match(origin.text, /Origin/);
    assert.ok(!/session .* opened/.test(serve.stderr()));
  } finally {
    await serve.stop();
  }
  const open = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--', process.execPath, FIXTURE], { env: { ...process.env, MCP_ROUTE_SERVE_TOKEN: '' } });
  assert.equal(open.code, 1);
  assert.match(open.stderr, /without a bearer token: set MCP_ROUTE_SERVE_TOKEN/);
});

test('with a token, clients without it get 401', { ...e2e, timeout: 40_000 }, async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  process.env.MCP_ROUTE_SERVE_TOKEN = 'serve-token-123';
  let serve: Awaited<ReturnType<typeof startServe>>;
  try {
    serve = await startServe();
  } finally {
    delete process.env.MCP_ROUTE_SERVE_TOKEN;
  }
  try {
    assert.equal((await rawPost(serve.url, {}, INIT)).status, 401);
    const ok = await rawPost(serve.url, { authorization: 'Bearer serve-token-123' }, INIT);
    assert.equal(ok.status, 200, ok.text);
  } finally {
    await serve.stop();
  }
});

test('2026-07-28 clients of a 2025-only server: a pinned one is told the server offers no 2026; an auto one falls back to a 2025 session', { ...e2e, timeout: 40_000 }, async () => {
  const serve = await startServe(['--log-level', 'info']);
  try {
    const pinned = new ClientV2({ name: 'pinned', version: '1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await assert.rejects(pinned.connect(new StreamableHTTPClientTransportV2(new URL(serve.url))), /did not offer pinned protocol version 2026-07-28/);
    await pinned.close().catch(() => {});
    assert.doesNotMatch(serve.stderr(), /session \S+ opened/, 'the probe opened no session');

    const auto = new ClientV2({ name: 'auto', version: '1' }, { capabilities: {}, versionNegotiation: { mode: 'auto' } });
    await auto.connect(new StreamableHTTPClientTransportV2(new URL(serve.url)));
    try {
      const result = await auto.callTool({ name: 'echo', arguments: { text: 'negotiated 2025' } });
      assert.equal((result.content as Array<{ text: string }>)[0]!.text, 'negotiated 2025');
      assert.match(auto.getNegotiatedProtocolVersion() ?? '', /^2025-/);
      assert.match(serve.stderr(), /session \S+ opened/);
    } finally {
      await auto.close();
    }
  } finally {
    await serve.stop();
  }
});

test('2026-07-28 clients of a dual-era server share one child: sampling inside input_required answered by the policy, ids kept apart, a closed request cancelled', {
  ...e2e,
  timeout: 60_000,
}, async () => {
  const wireLog = join(tempDir(), 'wire.jsonl');
  const serve = await startServe(['--log-level', 'info'], MRTR_FIXTURE, { ...process.env, MRTR_WIRE_LOG: wireLog });
  const pinnedClient = async () => {
    const client = new ClientV2({ name: 'pinned', version: '1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StreamableHTTPClientTransportV2(new URL(serve.url)));
    return client;
  };
  const text = (r: unknown) => (r as { content: Array<{ text: string }> }).content[0]!.text;
  const [a, b] = [await pinnedClient(), await pinnedClient()];
  try {
    assert.equal(a.getNegotiatedProtocolVersion(), '2026-07-28');
    assert.match(text(await a.callTool({ name: 'ask', arguments: { q: 'modern?' } })), /^answer: served over http; state: state-1/);
    // Both clients number their requests alike: every answer still reaches the client and call that asked.
    const calls = await Promise.all([...Array(6).keys()].map((i) => (i % 2 ? a : b).callTool({ name: 'echo', arguments: { text: `call ${i}` } })));
    assert.deepEqual(
      calls.map(text),
      [...Array(6).keys()].map((i) => `call ${i}`),
    );
    assert.doesNotMatch(serve.stderr(), /session \S+ opened/, 'no 2025 session for 2026 clients');
    assert.equal((serve.stderr().match(/the shared server started/g) ?? []).length, 1, 'one child for both clients');

    // The client aborts a call (2026 cancels by closing the request): the shared child hears of it.
    const controller = new AbortController();
    const slow = b.callTool({ name: 'slow-after-sampling', arguments: {} }, { signal: controller.signal });
    const wire = () => (existsSync(wireLog) ? readFileSync(wireLog, 'utf8') : '');
    await until(() => wire().includes('"slow-after-sampling"') && (wire().match(/"slow-after-sampling"/g) ?? []).length >= 2, 'the repeated slow call to reach the child');
    controller.abort();
    await assert.rejects(slow);
    await until(() => wire().includes('notifications/cancelled'), 'the cancellation to reach the child');
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
    await serve.stop();
  }
});

test('the shared 2026 child ends after the idle timeout without a request, and the next 2026 request starts a new one', { ...e2e, timeout: 40_000 }, async () => {
  const serve = await startServe(['--log-level', 'info', '--idle-timeout', '1s'], MRTR_FIXTURE);
  const client = new ClientV2({ name: 'pinned', version: '1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const text = (r: unknown) => (r as { content: Array<{ text: string }> }).content[0]!.text;
  try {
    await client.connect(new StreamableHTTPClientTransportV2(new URL(serve.url)));
    assert.equal(text(await client.callTool({ name: 'echo', arguments: { text: 'before' } })), 'before');
    await until(() => /the shared server exited/.test(serve.stderr()), 'the idle shared child to exit');
    assert.match(serve.stderr(), /the shared server is ending after 1 s without a request/);
    assert.equal(text(await client.callTool({ name: 'echo', arguments: { text: 'after' } })), 'after');
    assert.equal((serve.stderr().match(/the shared server started/g) ?? []).length, 2, 'a new child for the request after the idle end');
  } finally {
    await client.close().catch(() => {});
    await serve.stop();
  }
});

test('2026-07-28 clients of the shared child: progress reaches the client whose call asked for it, under its own token', { ...e2e, timeout: 60_000 }, async () => {
  const serve = await startServe([], MRTR_FIXTURE);
  const pinned = async () => {
    const client = new ClientV2({ name: 'pinned', version: '1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StreamableHTTPClientTransportV2(new URL(serve.url)));
    return client;
  };
  const [a, b] = [await pinned(), await pinned()];
  try {
    // Both clients' SDKs use their request id as the token, so both send the same tokens: each
    // must still see exactly its own call's progress, across both legs of the input_required round.
    const seen: Record<'a' | 'b', number[]> = { a: [], b: [] };
    const call = (client: typeof a, who: 'a' | 'b') => client.callTool({ name: 'progress', arguments: {} }, { onprogress: (p) => void seen[who].push(p.progress) });
    const [ra, rb] = await Promise.all([call(a, 'a'), call(b, 'b')]);
    for (const r of [ra, rb]) assert.equal((r as { content: Array<{ text: string }> }).content[0]!.text, 'done: served over http');
    // Two legs of 1..2 of 2, kept increasing across legs by the core: four each, nothing of the other's.
    assert.deepEqual(seen.a, [1, 2, 3, 4]);
    assert.deepEqual(seen.b, [1, 2, 3, 4]);
    // A call without a token still gets a plain JSON answer.
    assert.equal(((await a.callTool({ name: 'echo', arguments: { text: 'plain' } })) as { content: Array<{ text: string }> }).content[0]!.text, 'plain');
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
    await serve.stop();
  }
});

test('2026-07-28 subscriptions/listen through the shared child: updates reach the subscribers that asked, closing a stream unsubscribes', { ...e2e, timeout: 60_000 }, async () => {
  const wireLog = join(tempDir(), 'wire.jsonl');
  const serve = await startServe(['--log-level', 'debug'], MRTR_FIXTURE, { ...process.env, MRTR_WIRE_LOG: wireLog });
  const got: Record<'a' | 'b' | 'c', string[]> = { a: [], b: [], c: [] };
  const pinned = async (who: 'a' | 'b' | 'c') => {
    const client = new ClientV2({ name: `pinned-${who}`, version: '1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    client.setNotificationHandler('notifications/resources/updated', (n) => void got[who].push(`updated ${n.params.uri}`));
    client.setNotificationHandler('notifications/tools/list_changed', () => void got[who].push('tools changed'));
    await client.connect(new StreamableHTTPClientTransportV2(new URL(serve.url)));
    return client;
  };
  const [a, b, c] = [await pinned('a'), await pinned('b'), await pinned('c')];
  const wire = () => (existsSync(wireLog) ? readFileSync(wireLog, 'utf8') : '');
  try {
    // Both clients' SDKs name their first listen "listen:0": the child must still tell them apart.
    const subA = await a.listen({ resourceSubscriptions: ['note://a'], toolsListChanged: true });
    const subB = await b.listen({ toolsListChanged: true });
    assert.deepEqual(subA.honoredFilter, { resourceSubscriptions: ['note://a'], toolsListChanged: true });
    assert.deepEqual(subB.honoredFilter, { toolsListChanged: true });

    // c (no subscription) changes things; its call is answered though the tool also logs (dropped: no client to tie it to).
    const touched = await c.callTool({ name: 'touch', arguments: { uri: 'note://a' } });
    assert.equal((touched as { content: Array<{ text: string }> }).content[0]!.text, 'touched note://a');
    await until(() => got.a.length === 2 && got.b.length === 1, 'both subscribers to hear of the change');
    assert.deepEqual(got.a.sort(), ['tools changed', 'updated note://a']);
    assert.deepEqual(got.b, ['tools changed']);

    // An update of a resource nobody subscribed to reaches nobody (the tool list change still does).
    await c.callTool({ name: 'touch', arguments: { uri: 'note://b' } });
    await until(() => got.a.length === 3 && got.b.length === 2, 'the second list change');
    assert.deepEqual(
      got.a.filter((g) => g.startsWith('updated')),
      ['updated note://a'],
    );

    // a closes its stream: the child hears the cancellation and stops delivering to it.
    await subA.close();
    await until(() => /"method":"notifications\/cancelled","params":\{"requestId":"mcp-route-serve-/.test(wire()), 'the listen cancellation to reach the child');
    await c.callTool({ name: 'touch', arguments: { uri: 'note://a' } });
    await until(() => got.b.length === 3, 'b to hear of the third change');
    assert.equal(got.a.length, 3, 'nothing more for the closed subscription');
    assert.deepEqual(got.c, [], 'nothing for a client that did not subscribe');
    assert.match(serve.stderr(), /dropped a notifications\/message from the shared server/);
    await subB.close();
    // The cancellation the SDK also posts (no session, the client's own id) is accepted and changes nothing.
    const posted = await rawPost(serve.url, {}, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'listen:0' } });
    assert.equal(posted.status, 202);
  } finally {
    for (const client of [a, b, c]) await client.close().catch(() => {});
    await serve.stop();
  }
});
