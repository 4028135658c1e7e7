// The reference server from npm (@modelcontextprotocol/server-everything) behind the built
// CLI: its sampling tool exists only for clients that declare sampling, so through
// mcp-route a host without sampling must see it, and the policy's mock must answer it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { connectHost, e2e, tempDir, writePolicy } from './harness.js';

const require = createRequire(import.meta.url);
const everything = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist/index.js');

test('server-everything: trigger-sampling-request appears and is answered by the mock', e2e, async () => {
  const policy = writePolicy(tempDir(), `version: 1
providers: { canned: { type: mock, responses: [{ text: "answered by mcp-route's mock" }] } }
models: { m: { provider: canned } }
defaults: { models: [m] }
`);
  const host = await connectHost(['--policy', policy], { server: [process.execPath, everything, 'stdio'] });
  try {
    const { tools } = await host.client.listTools();
    assert.ok(tools.some((t) => t.name === 'trigger-sampling-request'), tools.map((t) => t.name).join(', '));
    const echo = await host.client.callTool({ name: 'echo', arguments: { message: 'passes through' } });
    assert.match(JSON.stringify(echo.content), /passes through/);
    const r = await host.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 50 } });
    assert.notEqual(r.isError, true, JSON.stringify(r));
    assert.match(JSON.stringify(r.content), /answered by mcp-route's mock/);
  } finally {
    await host.close();
  }
});
