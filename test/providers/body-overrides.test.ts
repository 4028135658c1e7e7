// What reaches the wire after mcp-route's own fields: provider `options`, then the model's
// `params` (drop, then set); connection failures that name their cause; the Anthropic SDK's
// deprecation notices routed to mcp-route's logger. Real SDK clients against fakes on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ProviderError } from '../../src/errors.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { OWN_BODY_KEYS } from '../../src/providers/body-overrides.js';
import { describeConnectionFailure } from '../../src/providers/to-provider-error.js';
import { toOpenAIRequest } from '../../src/providers/openai/to-openai-request.js';
import { toAnthropicRequest } from '../../src/providers/anthropic/to-anthropic-request.js';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { startFakeAnthropic } from '../helpers/fake-anthropic.js';
import { providerConfig } from '../helpers/policy.js';
import { fullRequest } from './fixtures.js';

const opts = (extra = {}) => ({ signal: new AbortController().signal, model: 'wire-model', modelId: 'cat-model', ...extra });
const warm = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'hi' } }], maxTokens: 10, temperature: 0.7, stopSequences: ['END'] };

async function failureOf(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, `expected ProviderError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

test("openai: options are merged after mcp-route's fields; params drop, then set, have the last word", async () => {
  const fake = await startFakeOpenAI();
  try {
    const provider = createOpenAIProvider(
      providerConfig('oa', 'openai', { apiKey: 'k', baseURL: fake.baseURL, options: { reasoning_effort: 'low', temperature: 0.1, top_p: 0.5, model: 'hijack', stream: true } }),
    );
    await provider.createMessage(warm, opts());
    let body = fake.requests[0]!.body;
    assert.equal(body.reasoning_effort, 'low', 'an extra body field reaches the API');
    assert.equal(body.temperature, 0.1, "options come after the request's own temperature");
    assert.equal(body.model, 'wire-model', 'model is never taken from options');
    assert.equal(body.stream, undefined, 'stream is never taken from options');

    await provider.createMessage(warm, opts({ params: { drop: ['temperature', 'top_p', 'stop'], set: { reasoning_effort: 'high', service_tier: 'flex' } } }));
    body = fake.requests[1]!.body;
    assert.equal('temperature' in body, false);
    assert.equal('top_p' in body, false);
    assert.equal('stop' in body, false);
    assert.equal(body.reasoning_effort, 'high');
    assert.equal(body.service_tier, 'flex');
    assert.equal(body.max_completion_tokens, 10);
  } finally {
    await fake.close();
  }
});

test('anthropic: options and params shape the Messages body the same way', async () => {
  const fake = await startFakeAnthropic();
  try {
    const provider = createAnthropicProvider(providerConfig('an', 'anthropic', { apiKey: 'k', baseURL: fake.baseURL, options: { top_k: 5, service_tier: 'auto' } }));
    await provider.createMessage(warm, opts({ params: { drop: ['stop_sequences'], set: { top_k: 9 } } }));
    const body = fake.requests[0]!.body;
    assert.equal(body.service_tier, 'auto');
    assert.equal(body.top_k, 9);
    assert.equal(body.temperature, 0.7);
    assert.equal('stop_sequences' in body, false);
  } finally {
    await fake.close();
  }
});

test('OWN_BODY_KEYS lists every key the mappers set (lint warns on options that replace them)', () => {
  const metadataRequest = { ...fullRequest, metadata: { user_id: 'u', trace: 't' } };
  const openai = Object.keys(toOpenAIRequest(metadataRequest, { model: 'm', storeMetadata: true }));
  const openaiOld = Object.keys(toOpenAIRequest(metadataRequest, { model: 'm', maxTokensParam: 'max_tokens' }));
  for (const k of [...openai, ...openaiOld]) assert.ok(OWN_BODY_KEYS['openai']!.includes(k), `openai sets ${k}`);
  for (const k of Object.keys(toAnthropicRequest(metadataRequest, { model: 'm' }))) assert.ok(OWN_BODY_KEYS['anthropic']!.includes(k), `anthropic sets ${k}`);
});

test('a refused connection names the syscall, host and port, not "fetch failed"', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const openai = createOpenAIProvider(providerConfig('a', 'openai', { apiKey: 'k', baseURL: `http://127.0.0.1:${port}/v1` }));
  const e = await failureOf(openai.createMessage(warm, opts({ modelId: 'gpt-5-mini' })));
  assert.equal(e.message, `a/gpt-5-mini: connection failed (ECONNREFUSED 127.0.0.1:${port})`);
  assert.equal(e.isRetryable, true);

  const anthropic = createAnthropicProvider(providerConfig('b', 'anthropic', { apiKey: 'k', baseURL: `http://127.0.0.1:${port}` }));
  const refused = await failureOf(anthropic.createMessage(warm, opts({ modelId: 'claude-x' })));
  assert.equal(refused.message, `b/claude-x: connection failed (ECONNREFUSED 127.0.0.1:${port})`);

  // A failure with no syscall and no address (global fetch refusing a port by itself): the
  // endpoint is named instead.
  assert.equal(describeConnectionFailure(new TypeError('fetch failed', { cause: new TypeError('bad port') }), 'http://127.0.0.1:9'), 'bad port, 127.0.0.1:9');
});

test("the Anthropic SDK's deprecation notice goes to mcp-route's logger once, never to console.warn", async () => {
  const fake = await startFakeAnthropic();
  const logged: string[] = [];
  const printed: unknown[][] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void printed.push(args);
  try {
    const provider = createAnthropicProvider(providerConfig('an', 'anthropic', { apiKey: 'k', baseURL: fake.baseURL }), { log: { warn: (m) => logged.push(m) } });
    // claude-sonnet-4-5 is in the bundled SDK's deprecation table.
    await provider.createMessage(warm, opts({ model: 'claude-sonnet-4-5' }));
    await provider.createMessage(warm, opts({ model: 'claude-sonnet-4-5' }));
    assert.equal(fake.requests.length, 2);
    assert.deepEqual(printed, [], "nothing printed behind the logger's back");
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0]!, /^an: The model 'claude-sonnet-4-5' is deprecated and will reach end-of-life on November 30th, 2026 Please migrate/);
  } finally {
    console.warn = original;
    await fake.close();
  }
});
