// The router's own steps around execution: budget reservation per candidate with the real
// budget gate (fallback, reject, settle to real usage), tools strip, maxTokens clamp, and
// `client` providers only when the host can sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import { createBudgetGate } from '../../src/budgets/gate.js';
import type { McpRouteError } from '../../src/errors.js';
import type { Budget } from '../../src/policy/types.js';
import type { SamplingOutcome } from '../../src/router/types.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { startFakeAnthropic } from '../helpers/fake-anthropic.js';
import { hello, modelConfig, providerConfig, testPolicy } from '../helpers/policy.js';

function twoProviderPolicy(oaURL: string, anURL: string, budgets: Budget[]) {
  const policy = testPolicy({
    providers: [providerConfig('oa', 'openai', { apiKey: 'k-oa-123456', baseURL: oaURL }), providerConfig('an', 'anthropic', { apiKey: 'k-an-123456', baseURL: anURL })],
    models: [modelConfig('gpt-x', 'oa', { cost: { input: 1, output: 2 } }), modelConfig('claude-x', 'an')],
    defaults: { models: ['gpt-x', 'claude-x'] },
  });
  policy.budgets = budgets;
  return policy;
}

const tinyBudget = (onExceed: Budget['onExceed']): Budget => ({
  name: 'gpt-tokens',
  scope: { kind: 'select', model: 'gpt-*' },
  tokens: 10,
  per: 'day',
  onExceed,
  maxWait: 0,
});

test('a budget with onExceed: fallback skips its candidate; the skip is listed in attempts', async () => {
  const oa = await startFakeOpenAI();
  const an = await startFakeAnthropic();
  try {
    const policy = twoProviderPolicy(oa.baseURL, an.baseURL, [tinyBudget('fallback')]);
    const outcomes: SamplingOutcome[] = [];
    const router = createRouter(policy, { budgetGate: createBudgetGate(policy), onOutcome: (o) => outcomes.push(o) });
    const result = await router.createMessage(hello);
    assert.equal(result.model, 'claude-x');
    assert.equal(oa.requests.length, 0);
    assert.match(outcomes[0]!.attempts[0]!.error!, /^skipped: budget "gpt-tokens"/);
    await router.close();
  } finally {
    await oa.close();
    await an.close();
  }
});

test('a budget with onExceed: reject refuses with BUDGET_EXCEEDED naming the budget', async () => {
  const oa = await startFakeOpenAI();
  const an = await startFakeAnthropic();
  try {
    const policy = twoProviderPolicy(oa.baseURL, an.baseURL, [tinyBudget('reject')]);
    const outcomes: SamplingOutcome[] = [];
    const router = createRouter(policy, { budgetGate: createBudgetGate(policy), onOutcome: (o) => outcomes.push(o) });
    await assert.rejects(router.createMessage(hello), (e: McpRouteError) => {
      assert.equal(e.code, 'BUDGET_EXCEEDED');
      assert.equal(e.data.budget, 'gpt-tokens');
      assert.match(e.message, /^mcp-route: budget "gpt-tokens"/);
      return true;
    });
    assert.equal(oa.requests.length + an.requests.length, 0);
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      ['budget'],
    );
  } finally {
    await oa.close();
    await an.close();
  }
});

test('a successful call settles the reservation to the usage the provider reported', async () => {
  const oa = await startFakeOpenAI();
  const an = await startFakeAnthropic();
  try {
    const policy = twoProviderPolicy(oa.baseURL, an.baseURL, [{ name: 'all', scope: { kind: 'global' }, tokens: 100_000, usd: 10, per: 'day', onExceed: 'reject', maxWait: 0 }]);
    oa.enqueue(openaiCompletion({ text: 'x', usage: { prompt: 30, completion: 7 } }));
    const gate = createBudgetGate(policy);
    const router = createRouter(policy, { budgetGate: gate });
    const result = await router.createMessage(hello);
    const meta = result._meta?.['mcp-route'] as { costUsd: number };
    assert.equal(meta.costUsd, (30 * 1 + 7 * 2) / 1e6);
    const status = await gate.status();
    const tokens = status.find((s) => s.name === 'all' && s.limit.startsWith('tokens'))!;
    assert.equal(tokens.used, 37);
    assert.equal(tokens.reserved, 0);
    await gate.close();
  } finally {
    await oa.close();
    await an.close();
  }
});

test('tools: strip removes tools and turns tool history into text; maxTokens is clamped', async () => {
  const oa = await startFakeOpenAI();
  try {
    const policy = testPolicy({
      providers: [providerConfig('oa', 'openai', { apiKey: 'k-oa-123456', baseURL: oa.baseURL })],
      models: [modelConfig('gpt-x', 'oa')],
      defaults: { tools: 'strip', maxTokens: 64 },
    });
    const router = createRouter(policy);
    await router.createMessage({
      maxTokens: 5_000,
      tools: [{ name: 'search', inputSchema: { type: 'object' } }],
      toolChoice: { mode: 'auto' },
      messages: [
        { role: 'user', content: { type: 'text', text: 'find it' } },
        { role: 'assistant', content: { type: 'tool_use', id: 'c1', name: 'search', input: { q: 'x' } } },
        { role: 'user', content: { type: 'tool_result', toolUseId: 'c1', content: [{ type: 'text', text: 'found' }] } },
      ],
    });
    const body = oa.requests[0]!.body;
    assert.equal(body.tools, undefined);
    assert.equal(body.tool_choice, undefined);
    assert.equal(body.max_completion_tokens, 64);
    assert.deepEqual(
      body.messages.map((m: { role: string }) => m.role),
      ['user', 'assistant', 'user'],
    );
    assert.equal(body.messages[1].content, '[called tool search (id c1) with {"q":"x"}]');
    assert.equal(body.messages[2].content, '[result of tool call c1]\nfound');
  } finally {
    await oa.close();
  }
});

test('client providers serve only when the host can sample', async () => {
  const policy = testPolicy({ providers: [providerConfig('host', 'client')], models: [modelConfig('host-model', 'host')] });
  const without = createRouter(policy);
  await assert.rejects(without.createMessage(hello), (e: McpRouteError) => e.code === 'NO_CANDIDATES');
  const seen: unknown[] = [];
  const withHost = createRouter(policy, {
    hostSampler: async (request) => {
      seen.push(request);
      return { role: 'assistant', content: { type: 'text', text: 'from host' }, model: 'host-llm' };
    },
  });
  const result = await withHost.createMessage(hello);
  assert.equal(result.model, 'host-llm');
  assert.equal(seen.length, 1);
});
