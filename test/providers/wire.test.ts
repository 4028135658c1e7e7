// The real SDK clients against the fake servers: what reaches the wire for every
// conversion, and how each kind of HTTP failure becomes a ProviderError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderError } from '../../src/errors.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { startFakeOpenAI, openaiCompletion, openaiError } from '../helpers/fake-openai.js';
import { startFakeAnthropic, anthropicError } from '../helpers/fake-anthropic.js';
import { providerConfig } from '../helpers/policy.js';
import { fullRequest, PNG } from './fixtures.js';

const KEY = 'sk-proj-secretsecret123456';
const opts = () => ({ signal: new AbortController().signal, model: 'gpt-wire', modelId: 'gpt-cat' });
const simple = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'hi' } }], maxTokens: 10 };

async function failureOf(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, `expected ProviderError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

test('openai: the full conversation, headers and organization reach the server as Chat Completions', async () => {
  const fake = await startFakeOpenAI();
  try {
    const provider = createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: KEY, baseURL: fake.baseURL, organization: 'org-9', headers: { 'x-team': 'blue' } }));
    await provider.createMessage(fullRequest, opts());
    const req = fake.requests[0]!;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.headers['openai-organization'], 'org-9');
    assert.equal(req.headers['x-team'], 'blue');
    const body = req.body;
    assert.equal(body.model, 'gpt-wire');
    assert.equal(body.max_completion_tokens, 256);
    assert.deepEqual(body.stop, ['END']);
    assert.equal(body.tool_choice, 'required');
    assert.equal(body.tools[0].function.parameters.required[0], 'city');
    assert.deepEqual(
      body.messages.map((m: { role: string }) => m.role),
      ['system', 'user', 'assistant', 'tool', 'tool', 'user'],
    );
    assert.equal(body.messages[1].content[1].image_url.url, `data:image/png;base64,${PNG}`);
    assert.equal(body.messages[2].tool_calls.length, 2);
    assert.match(body.messages[4].content, /^\[tool error\] partial capture/);
    assert.equal(body.metadata, undefined);
  } finally {
    await fake.close();
  }
});

test('openai: maxTokensParam max_tokens and storeMetadata are honoured on the wire', async () => {
  const fake = await startFakeOpenAI();
  try {
    const provider = createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: KEY, baseURL: fake.baseURL, maxTokensParam: 'max_tokens', storeMetadata: true }));
    await provider.createMessage(fullRequest, opts());
    const body = fake.requests[0]!.body;
    assert.equal(body.max_tokens, 256);
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(body.store, true);
    assert.deepEqual(body.metadata, { user_id: 'u-42', trace: 'abc' });
  } finally {
    await fake.close();
  }
});

test('anthropic: the full conversation reaches the server as a Messages request with key and version headers', async () => {
  const fake = await startFakeAnthropic();
  try {
    const provider = createAnthropicProvider(providerConfig('an', 'anthropic', { apiKey: 'sk-ant-api03-secret', baseURL: fake.baseURL, headers: { 'x-team': 'red' } }));
    await provider.createMessage(fullRequest, { ...opts(), model: 'claude-wire' });
    const req = fake.requests[0]!;
    assert.equal(req.path, '/v1/messages');
    // How the key travels is the SDK's choice (x-api-key or a bearer token, by SDK version).
    assert.ok(req.headers['x-api-key'] === 'sk-ant-api03-secret' || req.headers.authorization === 'Bearer sk-ant-api03-secret');
    assert.ok(req.headers['anthropic-version']);
    assert.equal(req.headers['x-team'], 'red');
    const body = req.body;
    assert.equal(body.model, 'claude-wire');
    assert.equal(body.system, 'You are terse.');
    assert.deepEqual(body.metadata, { user_id: 'u-42' });
    assert.deepEqual(body.tool_choice, { type: 'any' });
    assert.deepEqual(body.messages[0].content[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } });
    assert.equal(body.messages[2].content[1].is_error, true);
    assert.equal(body.messages[2].content[1].content[1].type, 'image');
  } finally {
    await fake.close();
  }
});

test('HTTP failures map to retryable / tryNext / retryAfter, and the SDK never retries on its own', async () => {
  const fake = await startFakeOpenAI();
  try {
    const provider = createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: KEY, baseURL: fake.baseURL }));
    const date = new Date(Date.now() + 3_000).toUTCString();
    const cases: Array<[ReturnType<typeof openaiError>, Partial<ProviderError>]> = [
      [openaiError(429, 'slow down', { headers: { 'retry-after': '2' } }), { status: 429, isRetryable: true, tryNext: true, retryAfterMs: 2000 }],
      [openaiError(429, 'slow down', { headers: { 'retry-after-ms': '150' } }), { status: 429, isRetryable: true, retryAfterMs: 150 }],
      [openaiError(401, 'bad key'), { status: 401, isRetryable: false, tryNext: true }],
      [openaiError(403, 'forbidden'), { status: 403, isRetryable: false, tryNext: true }],
      [openaiError(400, "This model's maximum context length is 8192 tokens", { code: 'context_length_exceeded' }), { status: 400, isRetryable: false, tryNext: true }],
      [openaiError(404, 'The model `x` does not exist', { code: 'model_not_found' }), { status: 404, isRetryable: false, tryNext: true }],
      [openaiError(400, "Invalid value for 'temperature'"), { status: 400, isRetryable: false, tryNext: false }],
      [openaiError(400, "Unsupported parameter: 'stop' is not supported with this model.", { code: 'unsupported_parameter' }), { status: 400, tryNext: true }],
      [openaiError(400, '`temperature` and `top_p` cannot both be specified for this model. Please use only one.'), { status: 400, tryNext: true }],
      [openaiError(408, 'timeout'), { status: 408, isRetryable: true }],
      [openaiError(409, 'conflict'), { status: 409, isRetryable: true }],
      [openaiError(500, 'oops'), { status: 500, isRetryable: true, tryNext: true }],
    ];
    for (const [reply] of cases) fake.enqueue(reply);
    for (const [, expected] of cases) {
      const e = await failureOf(provider.createMessage(simple, opts()));
      for (const [k, v] of Object.entries(expected)) assert.equal((e as unknown as Record<string, unknown>)[k], v, `${expected.status} ${k}`);
    }
    assert.equal(fake.requests.length, cases.length, 'one request per call: no SDK retries');

    fake.enqueue(openaiError(429, 'later', { headers: { 'retry-after': date } }));
    const dated = await failureOf(provider.createMessage(simple, opts()));
    assert.ok(dated.retryAfterMs! > 1_000 && dated.retryAfterMs! <= 3_000, `retry-after date gave ${dated.retryAfterMs}`);
  } finally {
    await fake.close();
  }
});

test('malformed bodies, dropped connections and mid-body resets are ProviderErrors, not crashes', async () => {
  const oa = await startFakeOpenAI();
  const an = await startFakeAnthropic();
  try {
    const openai = createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: KEY, baseURL: oa.baseURL }));
    const anthropic = createAnthropicProvider(providerConfig('an', 'anthropic', { apiKey: KEY, baseURL: an.baseURL }));
    oa.enqueue({ raw: '{"choices": [' }, { body: { id: 'x', object: 'chat.completion' } }, { drop: true }, { ...openaiCompletion({ text: 'x'.repeat(2000) }), resetMidBody: true });
    const garbled = await failureOf(openai.createMessage(simple, opts()));
    assert.equal(garbled.isRetryable, false);
    assert.equal(garbled.tryNext, true);
    assert.match((await failureOf(openai.createMessage(simple, opts()))).message, /malformed/);
    const dropped = await failureOf(openai.createMessage(simple, opts()));
    assert.equal(dropped.isRetryable, true);
    const reset = await failureOf(openai.createMessage(simple, opts()));
    assert.equal(reset.tryNext, true);

    an.enqueue({ raw: 'not json at all' }, anthropicError(529, 'Overloaded'));
    assert.equal((await failureOf(anthropic.createMessage(simple, opts()))).tryNext, true);
    const overloaded = await failureOf(anthropic.createMessage(simple, opts()));
    assert.equal(overloaded.status, 529);
    assert.equal(overloaded.isRetryable, true);
  } finally {
    await oa.close();
    await an.close();
  }
});

test('a key echoed back by the provider never appears in the error message', async () => {
  const fake = await startFakeOpenAI();
  try {
    const provider = createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: KEY, baseURL: fake.baseURL }));
    fake.setDefault((req) => openaiError(401, `Incorrect API key provided: ${String(req.headers.authorization).slice(7)}`));
    const e = await failureOf(provider.createMessage(simple, opts()));
    assert.ok(!e.message.includes(KEY), e.message);
    assert.match(e.message, /\[redacted\]/);
  } finally {
    await fake.close();
  }
});
