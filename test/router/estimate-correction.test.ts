// The router learns from settlements (issue 20): a model without a public tokenizer whose
// provider reports three times the estimated prompt gets its next estimates, reservations
// and context-window checks raised; reports below the estimate never lower them. The audit
// line records the estimate, how it was made and what the provider reported.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { auditLine } from '../../src/audit/audit-log.js';
import { CORRECTION_HEADROOM, estimatePromptTokens, tokenizerFor } from '../../src/routing/estimate.js';
import type { SamplingOutcome } from '../../src/router/types.js';
import type { BudgetGate, ReserveRequest } from '../../src/budgets/types.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { budget, hello, modelConfig, providerConfig, testPolicy } from '../helpers/policy.js';

describe('learning prompt size from settlements', () => {
  it('raises the next estimate of a model whose provider reports more, never lowers it, and audits both figures', async () => {
    const estimate = estimatePromptTokens(hello as never, tokenizerFor('openai', 'llama3.2'));
    let reported = 3 * estimate;
    const fake = await startFakeOpenAI();
    fake.setDefault(() => openaiCompletion({ text: 'ok', usage: { prompt: reported, completion: 5 } }));
    const base = testPolicy({
      providers: [providerConfig('local', 'openai', { baseURL: fake.baseURL })],
      models: [modelConfig('llama3.2', 'local', { contextWindow: 4 * estimate + hello.maxTokens })],
    });
    const policy = { ...base, budgets: [budget({ name: 'tokens', tokens: 1_000_000 })] };
    const inner = createBudgetGate(policy);
    const asked: ReserveRequest[] = [];
    const gate: BudgetGate = { ...inner, reserve: (r) => (asked.push(r), inner.reserve(r)) };
    const outcomes: SamplingOutcome[] = [];
    const router = createRouter(policy, { budgetGate: gate, onOutcome: (o) => outcomes.push(o) });
    try {
      await router.createMessage(hello);
      assert.deepEqual(outcomes[0]!.prompt, { estimated: estimate, actual: reported, method: 'bound' });
      assert.equal(asked[0]!.tokens, estimate + hello.maxTokens);
      const line = JSON.parse(auditLine(outcomes[0]!, { content: false, redact: (s) => s }));
      assert.deepEqual(line.prompt, { estimated: estimate, actual: reported, method: 'bound' });

      // The second request reserves what the first one taught: at least what was reported.
      await router.createMessage(hello);
      const learned = Math.ceil(estimate * 3 * CORRECTION_HEADROOM);
      assert.equal(outcomes[1]!.prompt!.estimated, learned);
      assert.ok(learned >= reported);
      assert.equal(asked[1]!.tokens, learned + hello.maxTokens);
      const explained = router.explain(hello).candidates[0]!.prompt!;
      assert.equal(explained.estimated, estimate);
      assert.equal(explained.tokens, learned);
      assert.ok(explained.correction > 1);

      // A smaller report does not lower it.
      reported = 1;
      await router.createMessage(hello);
      assert.equal(router.explain(hello).candidates[0]!.prompt!.tokens, learned);

      // The learned size reaches the context-window filter too: a prompt four times larger now exceeds it.
      const longer = { ...hello, messages: [{ role: 'user', content: { type: 'text', text: 'hello '.repeat(4) } }] };
      const d = router.explain(longer);
      assert.equal(d.action, 'deny');
      assert.match(d.dropped[0]!.reason, /exceeds the context window .*learned/);
    } finally {
      await router.close();
      await inner.close();
      await fake.close();
    }
  });
});
