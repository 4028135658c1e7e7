// runProxy in-process between a real SDK Client (over streams) and the real fixture server
// (a child process over stdio). The Router here is a small stand-in for the real one so
// these tests pin the proxy's own duties: ids, cancellation, concurrency, host forwarding,
// lifecycle. End-to-end tests with the real router and the built CLI are in test/e2e.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, type CreateMessageRequestParams, type CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError } from '../../src/errors.js';
import type { Router, RouteOptions } from '../../src/router/types.js';
import type { HostSampler } from '../../src/providers/types.js';
import { runProxy } from '../../src/proxy/proxy.js';
import { createLogger } from '../../src/proxy/log.js';
import { StreamClientTransport } from './stream-transport.js';

const FIXTURE = fileURLToPath(new URL('../helpers/mcp-fixtures/sampling-server.mjs', import.meta.url));

interface Seen {
  calls: Array<{ params: CreateMessageRequestParams; options: RouteOptions }>;
  aborted: Array<string | number | undefined>;
  hostSampler?: HostSampler;
}

/** Answers "echo: <prompt>"; "slow" prompts wait for their signal; "deny" prompts are refused; "host" prompts go to the host. */
function testRouter(seen: Seen, hostSampler?: HostSampler): Router {
  seen.hostSampler = hostSampler;
  return {
    policy: {} as Router['policy'],
    async createMessage(raw, options = {}) {
      const params = raw as CreateMessageRequestParams;
      seen.calls.push({ params, options });
      const content = params.messages[0]?.content as { text?: string };
      const prompt = content.text ?? '';
      if (prompt.startsWith('deny')) throw new McpRouteError('DENIED_BY_RULE', 'refused by rule "no-deny"', { rule: 'no-deny' });
      if (prompt.startsWith('host')) return hostSampler!(params, { signal: options.signal! });
      if (prompt.startsWith('slow')) {
        await new Promise((_, reject) =>
          options.signal!.addEventListener('abort', () => {
            seen.aborted.push(options.requestId);
            reject(new McpRouteError('ABORTED', 'aborted'));
          }),
        );
      }
      return { role: 'assistant', content: { type: 'text', text: `echo: ${prompt}` }, model: 'test-router' } as CreateMessageResult;
    },
    explain() {
      throw new Error('not used');
    },
    async close() {},
  };
}

async function start(options: { hostSampling?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const toProxy = new PassThrough();
  const fromProxy = new PassThrough();
  const seen: Seen = { calls: [], aborted: [] };
  const stderr: string[] = [];
  const exit = runProxy({
    command: process.execPath,
    args: [FIXTURE],
    env: { ...process.env, ...options.env },
    input: toProxy,
    output: fromProxy,
    log: createLogger(
      'debug',
      (t) => t,
      (line) => void stderr.push(line),
    ),
    redact: (t) => t,
    toolsMayBeAllowed: false,
    graceMs: 300,
    createRouter: ({ hostSampler }) => testRouter(seen, hostSampler),
  });
  const client = new Client({ name: 'test-host', version: '1' }, { capabilities: options.hostSampling ? { sampling: {} } : {} });
  if (options.hostSampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async (req, extra) => ({
      _meta: { seenId: extra.requestId },
      role: 'assistant',
      content: { type: 'text', text: `host answered: ${(req.params.messages[0]!.content as { text: string }).text}` },
      model: 'host-model',
    }));
  }
  await client.connect(new StreamClientTransport(fromProxy, toProxy));
  return { client, seen, exit, stderr, toProxy };
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => {
  const r = await client.callTool({ name, arguments: args });
  return (r.content as Array<{ text: string }>)[0]!.text;
};

test("answers the server's sampling through the router and passes ordinary traffic through", { timeout: 20_000 }, async () => {
  const { client, seen, exit } = await start();
  assert.equal(client.getServerVersion()?.name, 'fixture-server');
  assert.equal(await call(client, 'echo', { text: 'héllo' }), 'héllo');
  const out = JSON.parse(await call(client, 'sample', { prompt: 'hi' }));
  assert.equal(out.ok, true);
  assert.equal(out.result.content.text, 'echo: hi');
  assert.equal(seen.calls[0]?.options.serverName, 'fixture-server', 'server name comes from serverInfo');
  await client.close();
  assert.equal(await exit, 0);
});

test('maps a refusal to a -1 wire error with mcp-route: message and data', { timeout: 20_000 }, async () => {
  const { client, exit } = await start();
  const out = JSON.parse(await call(client, 'sample', { prompt: 'deny me' }));
  assert.equal(out.ok, false);
  assert.equal(out.code, -1);
  assert.match(out.message, /mcp-route: refused by rule/);
  assert.deepEqual(out.data, { rule: 'no-deny', reason: 'DENIED_BY_RULE' });
  await client.close();
  await exit;
});

test('the server cancelling a sampling request aborts it in the router and gets no response', { timeout: 20_000 }, async () => {
  const { client, seen, exit } = await start();
  const out = JSON.parse(await call(client, 'sample', { prompt: 'slow one', cancelAfterMs: 50 }));
  assert.equal(out.ok, false);
  assert.equal(out.aborted, true);
  assert.equal(seen.aborted.length, 1, 'the router saw the abort');
  // The proxy still works after the cancellation.
  assert.equal(JSON.parse(await call(client, 'sample', { prompt: 'after' })).result.content.text, 'echo: after');
  await client.close();
  await exit;
});

test('50 concurrent sampling requests are each answered once, with the right answer', { timeout: 20_000 }, async () => {
  const { client, seen, exit } = await start();
  const outs = await Promise.all(Array.from({ length: 50 }, (_, i) => call(client, 'sample', { prompt: `n${i}` })));
  for (const [i, o] of outs.entries()) assert.equal(JSON.parse(o).result.content.text, `echo: n${i}`);
  assert.equal(seen.calls.length, 50);
  await client.close();
  await exit;
});

test('forwards to the host when it declared sampling, under ids of our own', { timeout: 20_000 }, async () => {
  const { client, seen, exit } = await start({ hostSampling: true });
  const out = JSON.parse(await call(client, 'sample', { prompt: 'host please' }));
  assert.ok(seen.hostSampler, 'a host sampler is given when the host declared sampling');
  assert.equal(out.result.content.text, 'host answered: host please');
  assert.match(String(out.result._meta.seenId), /^mcp-route-[0-9a-f]{8}-\d+$/, 'the host saw an id of our namespace');
  await client.close();
  await exit;
});

test('no host sampler when the host did not declare sampling', { timeout: 20_000 }, async () => {
  const { client, seen, exit } = await start();
  await call(client, 'sample', { prompt: 'x' });
  assert.equal(seen.hostSampler, undefined);
  await client.close();
  await exit;
});

test('drops non-JSON server output and keeps going', { timeout: 20_000 }, async () => {
  const { client, stderr, exit } = await start();
  assert.equal(await call(client, 'noise'), 'after noise');
  assert.ok(
    stderr.some((l) => l.includes('not JSON-RPC')),
    stderr.join(''),
  );
  await client.close();
  await exit;
});

test('a server crash mid-request fails the pending call and yields its exit code', { timeout: 20_000 }, async () => {
  const { client, exit } = await start();
  await assert.rejects(call(client, 'crash', { code: 3 }), /server exited/);
  assert.equal(await exit, 3);
});
