// Budgets hold in every language (issue 20): 10 Japanese and 10 English prompts at once, each
// sent to a gpt-4o on a fake OpenAI API that bills the o200k count and to a Claude model on a
// fake Anthropic API that bills a token per CJK character. Whatever the language and model,
// the tokens the fakes billed never exceed the budget, in every store.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRouter } from '../../src/router/router.js';
import type { McpRouteError } from '../../src/errors.js';
import { modelConfig, providerConfig, testPolicy, budget } from '../helpers/policy.js';
import { startBillingAnthropic, startBillingOpenAI } from '../helpers/realistic-billing.js';
import { stateFor } from './helpers.js';

const corpus = (name: string) => readFileSync(new URL(`../fixtures/corpus/${name}`, import.meta.url), 'utf8');
const JAPANESE = corpus('japanese.txt').replace(/\s+/g, '');
const ENGLISH = corpus('english.txt');
const CHARS = 8000;
const MAX_TOKENS = 256;
const BUDGET = 60_000;

/** An 8,000-character prompt starting at a different place of the text for each request. */
function prompt(text: string, i: number): string {
  const start = (i * 211) % text.length;
  return (text.slice(start) + text.repeat(Math.ceil(CHARS / text.length) + 1)).slice(0, CHARS);
}

for (const kind of ['memory', 'sqlite', 'redis'] as const) {
  describe(`prompt estimates against a token budget: ${kind} store`, () => {
    it('10 Japanese + 10 English concurrent prompts to OpenAI and Claude models never bill more than the budget', async (t) => {
      const env = await stateFor(t, kind);
      if (!env) return;
      const openai = await startBillingOpenAI(300);
      const anthropic = await startBillingAnthropic(300);
      const base = testPolicy({
        providers: [
          providerConfig('oa', 'openai', { apiKey: 'sk-test-123456', baseURL: openai.baseURL }),
          providerConfig('an', 'anthropic', { apiKey: 'sk-ant-test-123456', baseURL: anthropic.baseURL }),
        ],
        models: [modelConfig('gpt-4o', 'oa'), modelConfig('claude-sonnet-4-5', 'an')],
        defaults: { retry: { attempts: 1, initialDelay: 1, maxDelay: 1 } },
      });
      const policy = { ...base, budgets: [budget({ name: 'daily-tokens', tokens: BUDGET })], state: env.state };
      const router = createRouter(policy);
      try {
        const requests = [];
        for (let i = 0; i < 20; i++) {
          const text = i < 10 ? prompt(JAPANESE, i) : prompt(ENGLISH, i);
          // Half of each language to each vendor.
          const hint = i % 2 === 0 ? 'claude' : 'gpt';
          requests.push({ messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens: MAX_TOKENS, modelPreferences: { hints: [{ name: hint }] } });
        }
        const results = await Promise.allSettled(requests.map((r) => router.createMessage(r, { serverName: 'docs' })));
        const billed = openai.billed() + anthropic.billed();
        assert.ok(billed <= BUDGET, `billed ${billed} tokens against a budget of ${BUDGET}`);
        for (const r of results) {
          if (r.status === 'rejected') assert.equal((r.reason as McpRouteError).code, 'BUDGET_EXCEEDED');
        }
        // The budget binds (some refused) yet serves both languages (the estimate is not absurdly high).
        const served = results.map((r, i) => (r.status === 'fulfilled' ? i : -1)).filter((i) => i >= 0);
        assert.ok(served.length < 20, 'some requests were refused');
        assert.ok(
          served.some((i) => i < 10),
          'a Japanese prompt was served',
        );
        assert.ok(
          served.some((i) => i >= 10),
          'an English prompt was served',
        );
      } finally {
        await router.close();
        await openai.close();
        await anthropic.close();
        await env.cleanup();
      }
    });
  });
}
