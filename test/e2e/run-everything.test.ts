// The reference server from npm (@modelcontextprotocol/server-everything) behind the built
// CLI: its sampling tool exists only for clients that declare sampling, so through
// mcp-route a host without sampling must see it, and the policy's mock must answer it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { connectHost, e2e, tempDir, writePolicy } from './harness.js';
import { startFakeOpenAI, openaiCompletion, openaiError } from '../helpers/fake-openai.js';

const require = createRequire(import.meta.url);
const everything = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist/index.js');

test('server-everything: trigger-sampling-request appears and is answered by the mock', e2e, async () => {
  const policy = writePolicy(
    tempDir(),
    `version: 1
providers: { canned: { type: mock, responses: [{ text: "answered by mcp-route's mock" }] } }
models: { m: { provider: canned } }
defaults: { models: [m] }
`,
  );
  const host = await connectHost(['--policy', policy], { server: [process.execPath, everything, 'stdio'] });
  try {
    const { tools } = await host.client.listTools();
    assert.ok(
      tools.some((t) => t.name === 'trigger-sampling-request'),
      tools.map((t) => t.name).join(', '),
    );
    const echo = await host.client.callTool({ name: 'echo', arguments: { message: 'passes through' } });
    assert.match(JSON.stringify(echo.content), /passes through/);
    const r = await host.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 50 } });
    assert.notEqual(r.isError, true, JSON.stringify(r));
    assert.match(JSON.stringify(r.content), /answered by mcp-route's mock/);
  } finally {
    await host.close();
  }
});

test('zero configuration: only OPENAI_API_KEY, no policy; its temperature 0.7 does not stop a reasoning model from answering', e2e, async () => {
  // The fake behaves like gpt-5 and the o-series: any temperature is a 400.
  const fake = await startFakeOpenAI();
  fake.setDefault((req) =>
    req.body?.temperature !== undefined
      ? openaiError(400, "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.", { code: 'unsupported_value' })
      : openaiCompletion({ text: `answered by ${String(req.body?.model)}`, model: String(req.body?.model) }),
  );
  const home = tempDir();
  const host = await connectHost([], {
    server: [process.execPath, everything, 'stdio'],
    // No policy file anywhere discovery looks; the SDK reads OPENAI_BASE_URL as it would in production.
    env: { XDG_CONFIG_HOME: home, HOME: home, ANTHROPIC_API_KEY: '', OPENAI_API_KEY: 'sk-test-zero-config-0000', OPENAI_BASE_URL: fake.baseURL },
  });
  try {
    const r = await host.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 50 } });
    assert.notEqual(r.isError, true, JSON.stringify(r) + host.stderr());
    assert.match(JSON.stringify(r.content), /answered by gpt-5\.1/);
    assert.equal(fake.requests.length, 1, 'answered at the first try');
    assert.equal('temperature' in fake.requests[0]!.body, false);
  } finally {
    await host.close();
    await fake.close();
  }
});
