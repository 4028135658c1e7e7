// startProxy: `mcp-route run` from code. A real SDK Client talks to a real spawned stdio
// server through the proxy (host side on in-process streams); the policy is an object.

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startProxy, PolicyError, type SamplingOutcome } from 'mcp-route';
import { StreamClientTransport } from '../proxy/stream-transport.js';

const FIXTURE = fileURLToPath(new URL('../helpers/mcp-fixtures/sampling-server.mjs', import.meta.url));

const policy = {
  version: 1 as const,
  providers: {
    mock: { type: 'mock', responses: [{ text: 'proxied answer' }] },
    vendor: { type: 'openai', apiKey: '${LIB_TEST_VENDOR_KEY}', baseURL: 'http://127.0.0.1:9/v1' },
  },
  models: { m: { provider: 'mock' }, v: { provider: 'vendor' } },
  defaults: { models: ['m'] },
  state: { store: 'memory' },
};

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Array<{ type: string; text?: string }>).map((b) => b.text ?? '').join('');
}

describe('startProxy', () => {
  it('runs a server behind the policy, strips credentials from its env, and closes it', async () => {
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    const outcomes: SamplingOutcome[] = [];
    const logs: string[] = [];
    const secret = 'sk-lib-test-0123456789';
    const handle = startProxy({
      command: process.execPath,
      args: [FIXTURE],
      policy,
      env: { ...process.env, LIB_TEST_VENDOR_KEY: secret, FIXTURE_NAME: 'lib-fixture' },
      input: toServer,
      output: fromServer,
      log: (line) => logs.push(line),
      onOutcome: (o) => outcomes.push(o),
      graceMs: 500,
    });
    const client = new Client({ name: 'lib-host', version: '1.0.0' }, { capabilities: {} });
    await client.connect(new StreamClientTransport(fromServer, toServer));
    try {
      const sampled = JSON.parse(text(await client.callTool({ name: 'sample', arguments: { prompt: 'hello' } }))) as { ok: boolean; result?: { content: unknown } };
      assert.equal(sampled.ok, true, JSON.stringify(sampled));
      assert.deepEqual(sampled.result?.content, { type: 'text', text: 'proxied answer' });
      assert.equal(outcomes[0]?.server, 'lib-fixture');
      const env = JSON.parse(text(await client.callTool({ name: 'env', arguments: { name: 'LIB_TEST_VENDOR_KEY' } }))) as { value: string | null };
      assert.equal(env.value, null, 'the provider key must not reach the server');
    } finally {
      const code = await handle.close();
      // The fixture exits when its stdin closes.
      assert.equal(code, 0);
    }
    assert.equal(await handle.exited, 0);
    assert.ok(!logs.join('').includes(secret));
  });

  it('reports a server that cannot start as exit code 127, and rejects an invalid policy at once', async () => {
    const handle = startProxy({ command: '/nonexistent/mcp-server', policy, input: new PassThrough(), output: new PassThrough(), log: () => {} });
    assert.equal(await handle.exited, 127);
    assert.throws(() => startProxy({ command: process.execPath, policy: { version: 1, providers: {} } }), PolicyError);
  });
});
