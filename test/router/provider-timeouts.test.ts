// The per-attempt timeout must reach the real SDK calls: a model API that never answers fails
// the attempt at the policy's timeout (not at the SDK's 10-minute default) and the HTTP
// request is abandoned, for both the defaults' timeout and a provider's own `timeout`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import type { McpRouteError, Attempt } from '../../src/errors.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { startFakeAnthropic, anthropicMessage } from '../helpers/fake-anthropic.js';
import { hello, modelConfig, providerConfig, testPolicy } from '../helpers/policy.js';

const HANG_MS = 30_000;

for (const type of ['openai', 'anthropic'] as const) {
  for (const where of ['defaults', 'provider'] as const) {
    test(`${type}: a hanging API fails the attempt at the ${where} timeout and the request is abandoned`, { timeout: 10_000 }, async () => {
      const fake = type === 'openai' ? await startFakeOpenAI() : await startFakeAnthropic();
      fake.setDefault(() => (type === 'openai' ? openaiCompletion({}, { delay: HANG_MS }) : anthropicMessage({}, { delay: HANG_MS })));
      const router = createRouter(
        testPolicy({
          providers: [providerConfig('p', type, { apiKey: 'k-test-1234567', baseURL: fake.baseURL, ...(where === 'provider' ? { timeout: 300 } : {}) })],
          models: [modelConfig('m', 'p')],
          defaults: { timeout: where === 'defaults' ? 300 : 20_000, deadline: 25_000, retry: { attempts: 1, initialDelay: 1, maxDelay: 1 } },
        }),
      );
      const started = performance.now();
      try {
        await assert.rejects(router.createMessage(hello), (e: McpRouteError) => {
          const attempts = e.data.attempts as Attempt[];
          assert.equal(attempts.length, 1);
          assert.match(attempts[0]!.error ?? '', /timed out after 300ms/);
          return true;
        });
        // Generous bound for a loaded machine; what matters is far below the SDK default.
        assert.ok(performance.now() - started < 5_000, `took ${Math.round(performance.now() - started)}ms`);
        // On a loaded machine the attempt may time out before the request even reached the
        // fake; when it did arrive, the SDK must have hung up on it.
        if (fake.requests.length > 0) await fake.waitForClose(1);
      } finally {
        await router.close();
        await fake.close();
      }
    });
  }
}
