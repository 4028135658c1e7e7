// Streaming through execution with the real SDK providers against the fakes: deltas reach the
// caller as the provider sends them, and once any has, a failure ends the request instead of
// retrying or falling back (the caller already holds part of an answer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeDecision } from '../../src/execution/execute.js';
import { McpRouteError } from '../../src/errors.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import type { Provider } from '../../src/providers/types.js';
import type { CandidatePrompt, RouteDecision } from '../../src/routing/types.js';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { startFakeAnthropic } from '../helpers/fake-anthropic.js';
import { openaiStreamReply, anthropicStreamReply } from '../helpers/fake-streams.js';
import { providerConfig } from '../helpers/policy.js';

const request = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'hi' } }], maxTokens: 20 };
/** What decide() would carry for request's prompt (execution does not read it). */
const PROMPT: CandidatePrompt = { tokens: 8, estimated: 8, method: 'bound', exact: false, correction: 1 };
const decision: RouteDecision = {
  action: 'route',
  rule: null,
  candidates: [
    { provider: 'oa', model: 'gpt-x', providerModel: 'gpt-x', maxTokens: 20, prompt: PROMPT },
    { provider: 'an', model: 'claude-x', providerModel: 'claude-x', maxTokens: 20, prompt: PROMPT },
  ],
  dropped: [],
  trace: [],
  settings: {
    maxTokens: 20,
    requestedMaxTokens: 20,
    tools: 'allow',
    timeout: 5_000,
    deadline: 10_000,
    retry: { attempts: 3, initialDelay: 1, maxDelay: 5 },
    cooldown: 0,
    hints: 'prefer',
    approval: 'none',
    approvalFallback: 'deny',
    approvalTimeout: 120_000,
  },
};

async function fakes() {
  const oa = await startFakeOpenAI();
  const an = await startFakeAnthropic();
  const providers = new Map<string, Provider>([
    ['oa', createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: 'k1', baseURL: oa.baseURL }))],
    ['an', createAnthropicProvider(providerConfig('an', 'anthropic', { apiKey: 'k2', baseURL: an.baseURL }))],
  ]);
  return { oa, an, providers, close: () => Promise.all([oa.close(), an.close()]) };
}

test('deltas from both SDK providers reach the caller, and the result holds the whole text and usage', async () => {
  const { oa, an, providers, close } = await fakes();
  try {
    oa.enqueue(openaiStreamReply({ text: 'abcdef', model: 'gpt-x', pieces: 3, usage: { prompt: 4, completion: 3 } }));
    const deltas: string[] = [];
    const out = await executeDecision(decision, request, { getProvider: (n) => providers.get(n), onDelta: (t, from) => deltas.push(`${from.model}:${t}`) });
    assert.deepEqual(deltas, ['gpt-x:ab', 'gpt-x:cd', 'gpt-x:ef']);
    assert.deepEqual(out.result.content, { type: 'text', text: 'abcdef' });
    assert.deepEqual(out.usage, { inputTokens: 4, outputTokens: 3 });
    assert.equal(oa.requests[0]!.body.stream_options.include_usage, true);

    an.enqueue(anthropicStreamReply({ text: 'xyz', model: 'claude-x', pieces: 3 }));
    const overloaded = { status: 503, body: { error: { message: 'busy', type: 'server_error' } } };
    oa.enqueue(overloaded, overloaded, overloaded);
    const more: string[] = [];
    const fromAn = await executeDecision(decision, request, { getProvider: (n) => providers.get(n), onDelta: (t) => more.push(t) });
    assert.deepEqual(more, ['x', 'y', 'z']);
    assert.equal(fromAn.candidate.provider, 'an');
  } finally {
    await close();
  }
});

test('a stream that breaks after its first delta is not retried and does not fall back', async () => {
  const { oa, an, providers, close } = await fakes();
  try {
    const good = openaiStreamReply({ text: 'partial answer', model: 'gpt-x', pieces: 2 });
    // Headers and the first event, then the connection drops.
    oa.enqueue({ ...good, raw: `${good.raw!.split('\n\n')[0]}\n\n`, resetMidBody: false, trickle: undefined }, good);
    oa.setDefault(() => ({ ...good, raw: `${good.raw!.split('\n\n')[0]}\n\n` }));
    const deltas: string[] = [];
    await assert.rejects(
      executeDecision(decision, request, { getProvider: (n) => providers.get(n), onDelta: (t) => deltas.push(t) }),
      (err: unknown) => err instanceof McpRouteError && err.code === 'ALL_CANDIDATES_FAILED',
    );
    assert.deepEqual(deltas, ['partial']);
    assert.equal(oa.requests.length, 1, 'no retry after a delta reached the caller');
    assert.equal(an.requests.length, 0, 'no fallback after a delta reached the caller');
  } finally {
    await close();
  }
});
