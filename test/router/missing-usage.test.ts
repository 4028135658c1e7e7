// A provider (or an OpenAI-compatible model server) that omits usage must not make calls free:
// no counts is no report, and the router bills the worst case it reserved for (the prompt
// estimate plus the full maxTokens), both to budgets and in the outcome.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import { estimatePromptTokens, tokenizerFor } from '../../src/routing/estimate.js';
import type { SamplingOutcome } from '../../src/router/types.js';
import { startFakeOpenAI, openaiCompletionBody } from '../helpers/fake-openai.js';
import { fromOpenAIResponse } from '../../src/providers/openai/from-openai-response.js';
import { fromAnthropicResponse } from '../../src/providers/anthropic/from-anthropic-response.js';
import { budget, hello, modelConfig, providerConfig, testPolicy } from '../helpers/policy.js';

describe('a provider that reports no usage', () => {
  it('maps a body without usage (or with null counts) to no report, not to zero', () => {
    const { usage: _dropped, ...noUsage } = openaiCompletionBody({ text: 'hi' });
    assert.equal(fromOpenAIResponse(noUsage, 'm').usage, undefined);
    assert.equal(fromOpenAIResponse({ ...noUsage, usage: { prompt_tokens: 3 } }, 'm').usage, undefined);
    const anthropic = { type: 'message', role: 'assistant', model: 'c', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn' };
    assert.equal(fromAnthropicResponse(anthropic, 'c').usage, undefined);
    assert.equal(fromAnthropicResponse({ ...anthropic, usage: { input_tokens: null, output_tokens: 2 } }, 'c').usage, undefined);
    assert.deepEqual(fromAnthropicResponse({ ...anthropic, usage: { input_tokens: 4, output_tokens: 2 } }, 'c').usage, { inputTokens: 4, outputTokens: 2 });
  });

  it('is billed the worst case it reserved, so a token budget still runs out', async () => {
    const fake = await startFakeOpenAI();
    fake.setDefault(() => {
      const { usage: _dropped, ...body } = openaiCompletionBody({ text: 'ok' });
      return { body };
    });
    const estimate = estimatePromptTokens(hello as never, tokenizerFor('openai', 'llama3.2'));
    const worst = estimate + hello.maxTokens;
    const base = testPolicy({
      providers: [providerConfig('local', 'openai', { baseURL: fake.baseURL })],
      models: [modelConfig('llama3.2', 'local')],
    });
    // Room for two worst-case calls, not three: with zero billed, every call would pass.
    const policy = { ...base, budgets: [budget({ name: 'tokens', tokens: 2 * worst + 1 })] };
    const outcomes: SamplingOutcome[] = [];
    const router = createRouter(policy, { onOutcome: (o) => outcomes.push(o) });
    try {
      await router.createMessage(hello);
      assert.deepEqual(outcomes[0]!.usage, { inputTokens: estimate, outputTokens: hello.maxTokens });
      await router.createMessage(hello);
      await assert.rejects(router.createMessage(hello), /budget/i);
      assert.equal(fake.requests.length, 2);
    } finally {
      await router.close();
      await fake.close();
    }
  });
});
