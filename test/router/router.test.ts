import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import type { McpRouteError } from '../../src/errors.js';
import type { SamplingOutcome } from '../../src/router/types.js';
import type { BudgetGate } from '../../src/budgets/types.js';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { startFakeOpenAI, openaiError, openaiCompletion } from '../helpers/fake-openai.js';
import { startFakeAnthropic, anthropicError } from '../helpers/fake-anthropic.js';
import { hello, modelConfig, providerConfig, testPolicy } from '../helpers/policy.js';

test('answers from the mock provider with usage and attempts in _meta', async () => {
  const outcomes: SamplingOutcome[] = [];
  const router = createRouter(testPolicy({ providers: [providerConfig('demo', 'mock', { responses: [{ match: 'hello', text: 'hi there' }] })], models: [modelConfig('m1', 'demo')] }), {
    onOutcome: (o) => outcomes.push(o),
  });
  const result = await router.createMessage(hello, { serverName: 's1', requestId: 7 });
  assert.deepEqual(result.content, { type: 'text', text: 'hi there' });
  assert.equal(result.model, 'mock');
  assert.equal(result.stopReason, 'endTurn');
  const meta = result._meta?.['mcp-route'] as Record<string, unknown>;
  assert.equal(meta.provider, 'demo');
  assert.equal(meta.model, 'm1');
  assert.equal(meta.attempts, 1);
  assert.ok((meta.usage as { inputTokens: number }).inputTokens > 0);
  assert.equal(outcomes.length, 1);
  assert.equal(outcomes[0]!.outcome, 'ok');
  assert.equal(outcomes[0]!.server, 's1');
  assert.equal(outcomes[0]!.requestId, 7);
  await router.close();
});

test('malformed params are INVALID_PARAMS and reported once', async () => {
  const outcomes: SamplingOutcome[] = [];
  const router = createRouter(testPolicy({ providers: [providerConfig('demo', 'mock')], models: [modelConfig('m1', 'demo')] }), {
    onOutcome: (o) => outcomes.push(o),
  });
  await assert.rejects(router.createMessage({ messages: 'nope' }), (e: McpRouteError) => e.code === 'INVALID_PARAMS');
  assert.deepEqual(
    outcomes.map((o) => o.outcome),
    ['invalid'],
  );
});

test('falls back from a failing OpenAI provider to Anthropic, with every attempt listed', async () => {
  const openai = await startFakeOpenAI();
  const anthropic = await startFakeAnthropic();
  try {
    openai.setDefault(() => openaiError(500, 'boom'));
    const router = createRouter(
      testPolicy({
        providers: [
          providerConfig('oa', 'openai', { apiKey: 'sk-test-aaaaaaaaaaaa', baseURL: openai.baseURL }),
          providerConfig('an', 'anthropic', { apiKey: 'sk-ant-test-bbbbbbbb', baseURL: anthropic.baseURL }),
        ],
        models: [modelConfig('gpt-x', 'oa'), modelConfig('claude-x', 'an')],
        defaults: { models: ['gpt-x', 'claude-x'] },
      }),
    );
    const result = await router.createMessage(hello);
    assert.equal(result.model, 'claude-x');
    assert.equal(openai.requests.length, 3);
    assert.equal(anthropic.requests.length, 1);
    const meta = result._meta?.['mcp-route'] as Record<string, unknown>;
    assert.equal(meta.attempts, 4);
    await router.close();
  } finally {
    await openai.close();
    await anthropic.close();
  }
});

test('cooldown skips a candidate that just failed with 5xx on the next request', async () => {
  const openai = await startFakeOpenAI();
  const anthropic = await startFakeAnthropic();
  try {
    anthropic.setDefault(() => anthropicError(529, 'overloaded'));
    const router = createRouter(
      testPolicy({
        providers: [providerConfig('an', 'anthropic', { apiKey: 'k-1234567', baseURL: anthropic.baseURL }), providerConfig('oa', 'openai', { apiKey: 'k-7654321', baseURL: openai.baseURL })],
        models: [modelConfig('claude-x', 'an'), modelConfig('gpt-x', 'oa')],
        defaults: { models: ['claude-x', 'gpt-x'], retry: { attempts: 2, initialDelay: 1, maxDelay: 2 } },
      }),
    );
    await router.createMessage(hello);
    assert.equal(anthropic.requests.length, 2);
    const second = await router.createMessage(hello);
    assert.equal(second.model, 'gpt-x');
    assert.equal(anthropic.requests.length, 2, 'the cooling candidate was not called again');
    assert.ok(router.explain(hello).dropped.some((d) => d.code === 'cooldown' && d.model === 'claude-x'));
    await router.close();
  } finally {
    await openai.close();
    await anthropic.close();
  }
});

test('when every candidate is cooling they are tried anyway', async () => {
  const openai = await startFakeOpenAI();
  try {
    openai.enqueue(openaiError(503, 'down'));
    const router = createRouter(
      testPolicy({
        providers: [providerConfig('oa', 'openai', { apiKey: 'k-7654321', baseURL: openai.baseURL })],
        models: [modelConfig('gpt-x', 'oa')],
        defaults: { retry: { attempts: 1, initialDelay: 1, maxDelay: 2 } },
      }),
    );
    await assert.rejects(router.createMessage(hello), (e: McpRouteError) => e.code === 'ALL_CANDIDATES_FAILED');
    openai.enqueue(openaiCompletion({ text: 'back' }));
    const result = await router.createMessage(hello);
    assert.deepEqual(result.content, { type: 'text', text: 'back' });
    await router.close();
  } finally {
    await openai.close();
  }
});

test('content a provider cannot take (audio to Anthropic) falls back without calling it', async () => {
  const openai = await startFakeOpenAI();
  const anthropic = await startFakeAnthropic();
  try {
    const router = createRouter(
      testPolicy({
        providers: [providerConfig('an', 'anthropic', { apiKey: 'k-an-1234567', baseURL: anthropic.baseURL }), providerConfig('oa', 'openai', { apiKey: 'k-oa-1234567', baseURL: openai.baseURL })],
        models: [modelConfig('claude-x', 'an'), modelConfig('gpt-audio', 'oa')],
        defaults: { models: ['claude-x', 'gpt-audio'] },
      }),
    );
    const result = await router.createMessage({ maxTokens: 10, messages: [{ role: 'user', content: { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' } }] });
    assert.equal(result.model, 'gpt-audio');
    assert.equal(anthropic.requests.length, 0);
    assert.equal(openai.requests[0]!.body.messages[0].content[0].type, 'input_audio');
  } finally {
    await openai.close();
    await anthropic.close();
  }
});

test('a mock provider told to failWith 529 demos fallback to the next mock', async () => {
  const router = createRouter(
    testPolicy({
      providers: [providerConfig('down', 'mock', { failWith: 529 }), providerConfig('up', 'mock', { responses: [{ text: 'second' }] })],
      models: [modelConfig('m-down', 'down'), modelConfig('m-up', 'up')],
    }),
  );
  const result = await router.createMessage(hello);
  assert.deepEqual(result.content, { type: 'text', text: 'second' });
  assert.equal((result._meta!['mcp-route'] as { attempts: number }).attempts, 4);
});

test('onAnswer hands over the answer before the budget settles; createMessage resolves after the settlement', async () => {
  const events: string[] = [];
  let letSettle!: () => void;
  const settleMayEnd = new Promise<void>((r) => (letSettle = r));
  // A gate whose settlement waits, like a store round trip.
  const budgetGate: BudgetGate = {
    reserve: async () => ({
      ok: true,
      reservation: {
        settle: async () => {
          events.push('settle started');
          await settleMayEnd;
          events.push('settled');
        },
        release: async () => void events.push('released'),
      },
    }),
    status: async () => [],
    close: async () => {},
  };
  const router = createRouter(testPolicy({ providers: [providerConfig('demo', 'mock', { responses: [{ match: 'hello', text: 'hi there' }] })], models: [modelConfig('m1', 'demo')] }), {
    budgetGate,
  });
  let answered!: (r: CreateMessageResult) => void;
  const early = new Promise<CreateMessageResult>((r) => (answered = r));
  const done = router.createMessage(hello, {
    onAnswer: (r) => {
      events.push('answer');
      answered(r);
    },
  });
  void done.then(() => events.push('resolved'));
  const first = await early;
  assert.deepEqual(first.content, { type: 'text', text: 'hi there' });
  assert.equal((first._meta?.['mcp-route'] as { model: string } | undefined)?.model, 'm1', 'the answer has its _meta already');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['answer', 'settle started'], 'not resolved while the settlement is pending');
  letSettle();
  assert.equal(await done, first, 'the same answer');
  assert.deepEqual(events, ['answer', 'settle started', 'settled', 'resolved']);
  await router.close();
});
