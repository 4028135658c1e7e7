// A model without a price under a `usd` budget: lint says so, naming the model, and at run
// time the model is not admitted under that budget (fail closed) with a message that says why,
// instead of spending for free.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lintPolicy } from '../../src/library/lint-policy.js';
import { createRouter } from '../../src/router/router.js';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { explainAsRun } from '../../src/routing/explain-live.js';
import type { McpRouteError } from '../../src/errors.js';
import { modelConfig, providerConfig, testPolicy, hello, budget } from '../helpers/policy.js';
import type { Budget, Policy } from '../../src/policy/types.js';

const YAML = `version: 1
providers:
  oa: { type: openai, apiKey: sk-x }
  local: { type: openai, baseURL: "http://127.0.0.1:8000/v1", apiKey: sk-y }
models:
  gpt-4.1: { provider: oa }
  gpt5: { provider: oa }
  llama: { provider: local }
  priced: { provider: local, cost: { input: 1, output: 1 } }
budgets:
  - { name: daily, usd: 1 }
  - { name: oa-only, usd: 1, scope: { provider: oa } }
  - { name: priced-only, usd: 1, scope: { model: priced } }
  - { name: tokens-only, tokens: 1000 }
`;

describe('a usd budget over a model without cost', () => {
  it('is a lint error naming the model and the budget, once per pair the scope covers', () => {
    const found = lintPolicy({ text: YAML, path: 'p.yaml' }).filter((d) => d.code === 'unpriced-model');
    const pairs = found.map((d) => `${d.line}: ${/budget `([^`]+)`/.exec(d.message)![1]} / ${/model `([^`]+)`/.exec(d.message)![1]}`);
    // gpt-4.1 is priced by the built-in catalogue; `priced` has its own cost; tokens budgets need no price.
    assert.deepEqual(pairs.sort(), ['11: daily / gpt5', '11: daily / llama', '12: oa-only / gpt5']);
    for (const d of found) {
      assert.equal(d.severity, 'error');
      assert.match(d.hint ?? '', /add `cost: \{input: .*\}` to models\.\w+, or narrow the budget's `scope`/);
    }
  });

  function policy(budgets: Budget[]): Policy {
    return {
      ...testPolicy({
        providers: [providerConfig('canned', 'mock', { options: { responses: [{ text: 'hi' }] } })],
        models: [modelConfig('free-lunch', 'canned'), modelConfig('paid', 'canned', { cost: { input: 1, output: 1 } })],
        defaults: { models: ['free-lunch', 'paid'] },
      }),
      budgets,
    };
  }

  it('refuses the unpriced model at run time, saying why, instead of letting it spend for free', async () => {
    const router = createRouter(policy([budget({ name: 'daily', usd: 0.01 })]));
    try {
      await assert.rejects(router.createMessage(hello), (err: McpRouteError) => {
        assert.equal(err.code, 'BUDGET_EXCEEDED');
        assert.equal(err.data.budget, 'daily');
        assert.match(err.message, /model "free-lunch" has no price .* so budget "daily" \(usd\/day, global\) cannot count what it spends and does not admit it/);
        return true;
      });
    } finally {
      await router.close();
    }
  });

  it('with onExceed: fallback the next, priced model answers; budgets without usd still admit it', async () => {
    const router = createRouter(policy([budget({ name: 'daily', usd: 0.01, onExceed: 'fallback' }), budget({ name: 'tok', tokens: 10_000 })]));
    try {
      const result = await router.createMessage(hello);
      assert.equal((result._meta as Record<string, { model: string }>)['mcp-route']!.model, 'paid');
    } finally {
      await router.close();
    }
    const tokensOnly = createRouter(policy([budget({ name: 'tok', tokens: 10_000 })]));
    try {
      const result = await tokensOnly.createMessage(hello);
      assert.equal((result._meta as Record<string, { model: string }>)['mcp-route']!.model, 'free-lunch');
    } finally {
      await tokensOnly.close();
    }
  });

  it('explain, judging as run would, shows the unpriced model stopped by the usd budget (fallback skips it, reject refuses)', async () => {
    for (const onExceed of ['fallback', 'reject'] as const) {
      const p = policy([budget({ name: 'daily', usd: 0.01, onExceed })]);
      const gate = createBudgetGate(p);
      try {
        const live = await explainAsRun(p, hello as never, { serverName: 's', usableProviders: new Set(['canned']), gate });
        assert.deepEqual(
          live.blocked.map((b) => b.model),
          ['free-lunch'],
          onExceed,
        );
        assert.match(live.blocked[0]!.message, /has no price/);
        if (onExceed === 'fallback') {
          assert.equal(live.decision.candidates[0]!.model, 'paid');
          assert.equal(live.refusedBy, undefined);
        } else assert.equal(live.refusedBy?.budget, 'daily');
      } finally {
        await gate.close();
      }
    }
  });
});
