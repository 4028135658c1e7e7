import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import type { McpRouteError } from '../../src/errors.js';
import { estimateUsage } from '../../src/providers/estimate-tokens.js';
import { hello, modelConfig, providerConfig, testPolicy } from '../helpers/policy.js';

const policy = () => testPolicy({ providers: [providerConfig('host', 'client')], models: [modelConfig('host-model', 'host')] });

test('a client provider without host sampling says the host did not declare sampling and what to do', async () => {
  const router = createRouter(policy());
  await assert.rejects(router.createMessage(hello), (e: McpRouteError) => {
    assert.match(e.message, /^mcp-route: /);
    assert.match(e.message, /provider "host" \(type client\) cannot answer: the host did not declare the sampling capability/);
    assert.match(e.message, /use a host that supports sampling, or list a model on an API provider/);
    return true;
  });
  await router.close();
});

test('a client provider with host sampling hands the request to the host', async () => {
  const router = createRouter(policy(), {
    hostSampler: async () => ({ role: 'assistant', model: 'host-llm', content: { type: 'text', text: 'from host' } }),
  });
  const result = await router.createMessage(hello);
  assert.deepEqual(result.content, { type: 'text', text: 'from host' });
  await router.close();
});

test("the host's usage report counts only when it is non-negative integers; otherwise mcp-route's own estimate stands in", async () => {
  const reports: unknown[] = [
    { inputTokens: 7, outputTokens: 3 },
    { inputTokens: '100', outputTokens: 3 },
    { inputTokens: -1_000_000, outputTokens: 3 },
    // biome-ignore lint/correctness/noPrecisionLoss: a host that reports Infinity tokens is the case under test
    { inputTokens: 1e400, outputTokens: 1 },
  ];
  const seen: unknown[] = [];
  for (const usage of reports) {
    const router = createRouter(policy(), {
      hostSampler: async () => ({ role: 'assistant', model: 'host-llm', content: { type: 'text', text: 'from host' }, _meta: { 'mcp-route': { usage } } }),
    });
    const result = await router.createMessage(hello);
    seen.push((result._meta as Record<string, { usage: unknown }>)['mcp-route']!.usage);
    await router.close();
  }
  // mcp-route's own estimate of this prompt and answer (whatever the estimator's rules are).
  const answer = { role: 'assistant' as const, model: 'host-llm', content: { type: 'text' as const, text: 'from host' } };
  const estimate = estimateUsage(hello as never, answer);
  assert.notDeepEqual(estimate, { inputTokens: 7, outputTokens: 3 }, 'the valid report differs from the estimate');
  assert.deepEqual(seen, [{ inputTokens: 7, outputTokens: 3 }, estimate, estimate, estimate]);
});
