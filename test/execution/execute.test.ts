// executeDecision with hand-made Decisions and the real SDK providers against the fakes:
// retries, retry-after, fallback, timeouts, deadline, abort, malformed answers, redaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeDecision, backoffDelay } from '../../src/execution/execute.js';
import { Cooldown } from '../../src/execution/cooldown.js';
import { McpRouteError, type Attempt } from '../../src/errors.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { createRedactor } from '../../src/redact.js';
import type { Provider } from '../../src/providers/types.js';
import type { CandidatePrompt, EffectiveSettings, RouteDecision } from '../../src/routing/types.js';
import { startFakeOpenAI, openaiCompletion, openaiError, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startFakeAnthropic, anthropicMessage, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { providerConfig } from '../helpers/policy.js';

const KEY = 'sk-proj-topsecretkey999';
const request = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'hi' } }], maxTokens: 20 };

/** What decide() would carry for request's prompt (execution does not read it). */
const PROMPT: CandidatePrompt = { tokens: 8, estimated: 8, method: 'bound', exact: false, correction: 1 };

function decision(settings: Partial<EffectiveSettings> = {}): RouteDecision {
  return {
    action: 'route',
    rule: null,
    candidates: [
      { provider: 'oa', model: 'gpt-x', providerModel: 'gpt-x-wire', maxTokens: 20, prompt: PROMPT },
      { provider: 'an', model: 'claude-x', providerModel: 'claude-x-wire', maxTokens: 20, prompt: PROMPT },
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
      cooldown: 10_000,
      hints: 'prefer',
      approval: 'none',
      approvalFallback: 'deny',
      approvalTimeout: 120_000,
      ...settings,
    },
  };
}

async function withFakes(fn: (oa: FakeOpenAI & { baseURL: string }, an: FakeAnthropic, providers: Map<string, Provider>) => Promise<void>) {
  const oa = await startFakeOpenAI();
  const an = await startFakeAnthropic();
  const providers = new Map<string, Provider>([
    ['oa', createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: KEY, baseURL: oa.baseURL }))],
    ['an', createAnthropicProvider(providerConfig('an', 'anthropic', { apiKey: 'sk-ant-other-key-1', baseURL: an.baseURL }))],
  ]);
  try {
    await fn(oa, an, providers);
  } finally {
    await oa.close();
    await an.close();
  }
}

async function failure(p: Promise<unknown>): Promise<McpRouteError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof McpRouteError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

test('429 with retry-after-ms waits that long, then succeeds on the same candidate', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.enqueue(openaiError(429, 'rate limited', { headers: { 'retry-after-ms': '60' } }), openaiCompletion({ text: 'done' }));
    const t0 = performance.now();
    const out = await executeDecision(decision({ retry: { attempts: 3, initialDelay: 1, maxDelay: 1_000 } }), request, { getProvider: (n) => providers.get(n) });
    assert.ok(performance.now() - t0 >= 55, 'waited for retry-after');
    assert.deepEqual(out.result.content, { type: 'text', text: 'done' });
    assert.equal(out.candidate.model, 'gpt-x');
    assert.deepEqual(
      out.attempts.map((a) => [a.status, a.ok]),
      [
        [429, false],
        [undefined, true],
      ],
    );
    assert.equal(oa.requests.length, 2);
    assert.equal(oa.requests[0]!.body.model, 'gpt-x-wire');
    assert.equal(an.requests.length, 0);
  });
});

test('retry-after beyond maxDelay is capped at maxDelay', async () => {
  await withFakes(async (oa, _an, providers) => {
    oa.enqueue(openaiError(429, 'rate limited', { headers: { 'retry-after': '3600' } }), openaiCompletion({ text: 'done' }));
    const t0 = performance.now();
    await executeDecision(decision({ retry: { attempts: 2, initialDelay: 1, maxDelay: 20 } }), request, { getProvider: (n) => providers.get(n) });
    assert.ok(performance.now() - t0 < 1_000);
    assert.equal(oa.requests.length, 2);
  });
});

test('500 on every attempt falls back to the next provider after `attempts` tries', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.setDefault(() => openaiError(500, 'internal'));
    const cooldown = new Cooldown();
    const out = await executeDecision(decision(), request, { getProvider: (n) => providers.get(n), cooldown, now: () => 1_000 });
    assert.equal(oa.requests.length, 3);
    assert.equal(an.requests.length, 1);
    assert.equal(out.candidate.model, 'claude-x');
    assert.deepEqual(
      out.attempts.map((a) => `${a.provider}:${a.status ?? 'ok'}`),
      ['oa:500', 'oa:500', 'oa:500', 'an:ok'],
    );
    assert.deepEqual([...cooldown.snapshot(1_000)], [['oa/gpt-x', 11_000]]);
  });
});

test('401 goes straight to the next candidate without retrying', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.setDefault(() => openaiError(401, 'invalid key', { type: 'authentication_error' }));
    const cooldown = new Cooldown();
    const out = await executeDecision(decision(), request, { getProvider: (n) => providers.get(n), cooldown });
    assert.equal(oa.requests.length, 1);
    assert.equal(an.requests.length, 1);
    assert.equal(out.candidate.provider, 'an');
    assert.equal(cooldown.snapshot(Date.now()).size, 0, 'an auth failure is not a cooldown');
  });
});

test('a plain invalid request stops: no retry, no fallback; the error says what was not tried', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.setDefault(() => openaiError(400, "Invalid value for 'temperature'"));
    const e = await failure(executeDecision(decision(), request, { getProvider: (n) => providers.get(n) }));
    assert.equal(e.code, 'ALL_CANDIDATES_FAILED');
    assert.equal(
      e.message,
      "mcp-route: stopped after a non-retryable error: oa/gpt-x: HTTP 400 invalid_request_error: Invalid value for 'temperature'; not tried: an/claude-x (list 400 under fallbackOn to try the next candidate after it)",
    );
    assert.deepEqual(e.data.notTried, ['an/claude-x']);
    assert.equal((e.data.attempts as Attempt[]).length, 1);
    assert.equal((e.data.attempts as Attempt[])[0]!.error, "HTTP 400 invalid_request_error: Invalid value for 'temperature'", 'the attempt does not repeat its provider/model');
    assert.equal(oa.requests.length, 1);
    assert.equal(an.requests.length, 0);
  });
});

test('a per-attempt timeout is retried and then falls back', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.setDefault(() => openaiCompletion({}, { delay: 3_000 }));
    // Only the slow provider gets the short timeout (its own `timeout`), so the fallback's
    // answer is not raced against 60 ms on a loaded machine.
    const slow = createOpenAIProvider(providerConfig('oa', 'openai', { apiKey: KEY, baseURL: oa.baseURL, timeout: 60 }));
    const getProvider = (n: string) => (n === 'oa' ? slow : providers.get(n));
    const out = await executeDecision(decision({ retry: { attempts: 2, initialDelay: 1, maxDelay: 2 } }), request, { getProvider });
    // Counted as attempts: on a loaded machine a 60 ms attempt may end before its request reaches the fake.
    assert.equal(out.attempts.filter((a) => a.provider === 'oa').length, 2);
    assert.equal(an.requests.length, 1);
    assert.match(out.attempts[0]!.error!, /timed out after 60ms/);
    assert.equal(out.candidate.provider, 'an');
  });
});

test('the overall deadline ends the request with DEADLINE_EXCEEDED', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.setDefault(() => openaiCompletion({}, { delay: 3_000 }));
    const t0 = performance.now();
    const e = await failure(executeDecision(decision({ deadline: 80 }), request, { getProvider: (n) => providers.get(n) }));
    assert.equal(e.code, 'DEADLINE_EXCEEDED');
    assert.ok(performance.now() - t0 < 1_000);
    assert.equal(an.requests.length, 0);
  });
});

test('abort mid-call stops at once and makes no further request', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.setDefault(() => openaiCompletion({}, { delay: 5_000 }));
    const controller = new AbortController();
    const pending = executeDecision(decision(), request, { getProvider: (n) => providers.get(n), signal: controller.signal });
    await oa.waitForRequests(1);
    controller.abort();
    const e = await failure(pending);
    assert.equal(e.code, 'ABORTED');
    await oa.waitForClose(1); // the in-flight HTTP request was really cancelled
    assert.equal(oa.requests.length, 1);
    assert.equal(an.requests.length, 0);
    assert.equal((e.data.attempts as Attempt[]).length, 1);
  });
});

test('a malformed provider response is a failed attempt and the next candidate answers', async () => {
  await withFakes(async (oa, an, providers) => {
    oa.enqueue({ raw: '{"choices":[{"message":' });
    an.enqueue(anthropicMessage({ text: 'fine' }));
    const out = await executeDecision(decision(), request, { getProvider: (n) => providers.get(n) });
    assert.deepEqual(out.result.content, { type: 'text', text: 'fine' });
    assert.match(out.attempts[0]!.error!, /malformed/);
  });
});

test('attempt messages in the final error are redacted', async () => {
  // Secrets the providers do not know and that are not key-shaped: only the redactor given
  // to executeDecision can remove them.
  const secrets = ['hunter2-upstream-token', 'p4ss-word-9f3'];
  await withFakes(async (oa, an, providers) => {
    oa.setDefault(() => openaiError(401, `Incorrect credential provided: ${secrets[0]}`));
    an.setDefault(() => openaiError(403, `also leaked ${secrets[1]}`));
    const e = await failure(executeDecision(decision(), request, { getProvider: (n) => providers.get(n), redact: createRedactor(secrets) }));
    const text = JSON.stringify({ message: e.message, data: e.data });
    assert.ok(!text.includes(secrets[0]!) && !text.includes(secrets[1]!), text);
    assert.equal((e.data.attempts as Attempt[]).length, 2);
  });
});

test('backoff uses full jitter under an exponential ceiling capped at maxDelay', () => {
  assert.equal(
    backoffDelay(1, 100, 1_000, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(1, 100, 1_000, () => 0.5),
    50,
  );
  assert.equal(
    backoffDelay(3, 100, 1_000, () => 0.5),
    200,
  );
  assert.equal(
    backoffDelay(10, 100, 1_000, () => 0.999),
    999,
  );
});
