// Budgets through the real router: 200 sampling requests at once against a budget that
// admits exactly 20, with the real OpenAI client talking to a fake OpenAI server on
// 127.0.0.1 that reports fixed usage. Counts what reached the provider, not what the gate said.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { createBudgetStore } from '../../src/budgets/stores/index.js';
import { estimatePromptTokens } from '../../src/routing/estimate.js';
import type { McpRouteError } from '../../src/errors.js';
import type { Budget, Policy, StateConfig } from '../../src/policy/types.js';
import type { BudgetGate, ReserveRequest } from '../../src/budgets/types.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { hello, modelConfig, providerConfig, testPolicy, budget } from '../helpers/policy.js';
import { stateFor } from './helpers.js';

const PRICE = { input: 1, output: 2 }; // USD per million tokens
const WORST_USD = (estimatePromptTokens(hello as never) * PRICE.input + hello.maxTokens * PRICE.output) / 1_000_000;
const ACTUAL = { prompt: 12, completion: 5 };
const ACTUAL_USD = (ACTUAL.prompt * PRICE.input + ACTUAL.completion * PRICE.output) / 1_000_000;

function policyFor(baseURL: string, budgets: Budget[], state: StateConfig, models = ['gpt-a']): Policy {
  const p = testPolicy({
    providers: [providerConfig('oa', 'openai', { apiKey: 'sk-test-123456', baseURL })],
    models: models.map((id) => modelConfig(id, 'oa', { cost: PRICE })),
    defaults: { models, retry: { attempts: 1, initialDelay: 1, maxDelay: 1 } },
  });
  return { ...p, budgets, state };
}

for (const kind of ['memory', 'sqlite', 'redis'] as const) {
  describe(`router with budgets: ${kind} store`, () => {
    it('lets exactly 20 of 200 simultaneous requests reach the provider; 180 get the budget error; spend equals reported usage', async (t) => {
      const env = await stateFor(t, kind);
      if (!env) return;
      const fake = await startFakeOpenAI();
      // Provider latency keeps every reservation ahead of the first settle (which frees the gap).
      fake.setDefault(() => openaiCompletion({ text: 'ok', usage: ACTUAL }, { delay: 400 }));
      const policy = policyFor(fake.baseURL, [budget({ name: 'daily', usd: WORST_USD * 20.5 })], env.state);
      const store = createBudgetStore(env.state);
      const inner = createBudgetGate(policy, { store });
      const asked: ReserveRequest[] = [];
      const gate: BudgetGate = { ...inner, reserve: (r) => (asked.push(r), inner.reserve(r)) };
      const router = createRouter(policy, { budgetGate: gate });
      try {
        const results = await Promise.allSettled(Array.from({ length: 200 }, () => router.createMessage(hello, { serverName: 'github' })));
        assert.ok(
          asked.every((r) => Math.abs(r.usd - WORST_USD) < 1e-12),
          'the router reserves the worst case this test assumes',
        );
        assert.equal(fake.requests.length, 20, 'requests that reached the provider');
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 20);
        const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as McpRouteError);
        assert.equal(rejected.length, 180);
        for (const e of rejected) {
          assert.equal(e.code, 'BUDGET_EXCEEDED');
          assert.equal(e.data.budget, 'daily');
          assert.match(e.message, /^mcp-route: budget "daily"/);
          assert.ok(typeof e.data.resetsAt === 'string');
        }
        const [row] = await inner.status();
        assert.ok(Math.abs(row!.used - 20 * ACTUAL_USD) < 1e-12, `recorded ${row!.used}, reported ${20 * ACTUAL_USD}`);
        assert.equal(row!.reserved, 0);
      } finally {
        await router.close();
        await inner.close();
        await store.close();
        await fake.close();
        await env.cleanup();
      }
    });
  });
}

describe('router with budgets: defaults and fallback', () => {
  it('builds its own gate from policy.state when none is given, and onExceed: fallback sends the rest to the next model', async (t) => {
    const env = await stateFor(t, 'sqlite');
    if (!env) return;
    const fake = await startFakeOpenAI();
    fake.setDefault(() => openaiCompletion({ text: 'ok', usage: ACTUAL }, { delay: 400 }));
    const budgets = [budget({ name: 'gpt-a-cap', usd: WORST_USD * 20.5, onExceed: 'fallback', scope: { kind: 'select', model: 'gpt-a' } })];
    const policy = policyFor(fake.baseURL, budgets, env.state, ['gpt-a', 'gpt-b']);
    const router = createRouter(policy);
    try {
      const results = await Promise.all(Array.from({ length: 200 }, () => router.createMessage(hello)));
      const byModel = new Map<string, number>();
      for (const r of fake.requests) byModel.set(r.body.model, (byModel.get(r.body.model) ?? 0) + 1);
      assert.equal(byModel.get('gpt-a'), 20);
      assert.equal(byModel.get('gpt-b'), 180);
      assert.equal(results.length, 200);
      const reader = createBudgetGate(policy);
      const [row] = await reader.status();
      await reader.close();
      assert.ok(Math.abs(row!.used - 20 * ACTUAL_USD) < 1e-12, `the router's own gate wrote to ${env.state.path}`);
    } finally {
      await router.close();
      await fake.close();
      await env.cleanup();
    }
  });
});
