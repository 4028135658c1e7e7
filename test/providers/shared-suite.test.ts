// Runs the shared provider suite for every built-in provider type against its real backend.
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { runProviderSuite, type ProviderHarness } from './shared-suite.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { createMockProvider } from '../../src/providers/mock.js';
import { createClientProvider } from '../../src/providers/client.js';
import type { MockResponse } from '../../src/policy/types.js';
import type { HostSampler } from '../../src/providers/types.js';
import { startFakeOpenAI, openaiCompletion, openaiError } from '../helpers/fake-openai.js';
import { startFakeAnthropic, anthropicMessage, anthropicError } from '../helpers/fake-anthropic.js';
import { providerConfig } from '../helpers/policy.js';

runProviderSuite('openai', async (): Promise<ProviderHarness> => {
  const fake = await startFakeOpenAI();
  return {
    answerText: (text) => fake.enqueue(openaiCompletion({ text })),
    answerToolUse: (name, input) => fake.enqueue(openaiCompletion({ toolCalls: [{ name, arguments: input }] })),
    answerSlowly: (ms) => fake.enqueue(openaiCompletion({}, { delay: ms })),
    failOverloaded: () => fake.enqueue(openaiError(503, 'overloaded', { type: 'server_error' })),
    overloadRetryable: true,
    calls: () => fake.requests.length,
    provider: () => createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: 'sk-test-key-123456', baseURL: fake.baseURL }), {}),
    close: () => fake.close(),
  };
});

runProviderSuite('anthropic', async (): Promise<ProviderHarness> => {
  const fake = await startFakeAnthropic();
  return {
    answerText: (text) => fake.enqueue(anthropicMessage({ text })),
    answerToolUse: (name, input) => fake.enqueue(anthropicMessage({ toolUses: [{ name, input }] })),
    answerSlowly: (ms) => fake.enqueue(anthropicMessage({}, { delay: ms })),
    failOverloaded: () => fake.enqueue(anthropicError(529, 'Overloaded')),
    overloadRetryable: true,
    calls: () => fake.requests.length,
    provider: () => createAnthropicProvider(providerConfig('an', 'anthropic', { apiKey: 'sk-ant-test-123456', baseURL: fake.baseURL }), {}),
    close: () => fake.close(),
  };
});

runProviderSuite('mock', async (): Promise<ProviderHarness> => {
  let responses: MockResponse[] = [];
  let failWith: number | undefined;
  let calls = 0;
  return {
    answerText: (text) => void (responses = [{ text }]),
    answerToolUse: (name, input) => void (responses = [{ toolUse: [{ name, input }] }]),
    answerSlowly: (ms) => void (responses = [{ text: 'late', delay: ms }]),
    failOverloaded: () => void (failWith = 529),
    overloadRetryable: true,
    calls: () => calls,
    provider: () => {
      const p = createMockProvider(providerConfig('mk', 'mock', { responses, failWith }), {});
      return { ...p, createMessage: (r, o) => (calls++, p.createMessage(r, o)) };
    },
    close: async () => {},
  };
});

runProviderSuite('client', async (): Promise<ProviderHarness> => {
  let next: HostSampler = async () => ({ role: 'assistant', content: { type: 'text', text: '' }, model: 'host' });
  let calls = 0;
  const reply =
    (result: unknown): HostSampler =>
    async () =>
      result as CreateMessageResult;
  const sampler: HostSampler = (request, options) => {
    calls++;
    return next(request, options);
  };
  return {
    answerText: (text) => void (next = reply({ role: 'assistant', content: { type: 'text', text }, model: 'host-model', stopReason: 'endTurn' })),
    answerToolUse: (name, input) => void (next = reply({ role: 'assistant', content: [{ type: 'tool_use', id: 'h1', name, input }], model: 'host-model', stopReason: 'toolUse' })),
    answerSlowly: (ms) =>
      void (next = (_r, { signal }) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve({ role: 'assistant', content: { type: 'text', text: 'late' }, model: 'host-model' }), ms);
          signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('cancelled'))), { once: true });
        })),
    failOverloaded: () =>
      void (next = async () => {
        throw Object.assign(new Error('host is busy'), { code: -32603 });
      }),
    // The host's sampling is not HTTP: its errors carry no status worth retrying.
    overloadRetryable: false,
    calls: () => calls,
    provider: () => createClientProvider(providerConfig('host', 'client'), { hostSampler: sampler }),
    close: async () => {},
  };
});
