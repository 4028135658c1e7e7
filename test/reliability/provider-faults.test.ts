// Provider faults through the spawned CLI: a fake OpenAI API answers at random (seeded) with
// 429s with and without retry-after, 5xx/529, hangs past the timeout, resets mid-body,
// malformed JSON, bodies missing fields and slow trickles, while the server fires sampling
// requests concurrently. Invariants: each request gets exactly one response, budgets hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openaiCompletion, openaiError, openaiCompletionBody, startFakeOpenAI } from '../helpers/fake-openai.js';
import type { FakeReply, RecordedRequest } from '../helpers/fake-http.js';
import { assertAllGone, assertExactlyOnce, openaiPolicy, prng, samplingLine, skipUnlessBuilt, startRoute, userText } from './harness.js';

const KEY = 'reliability-key-0123456789';

type Fault = (req: RecordedRequest) => FakeReply;
const ok: Fault = (req) => openaiCompletion({ model: req.body?.model, usage: { prompt: 1, completion: Math.min(5, req.body?.max_completion_tokens ?? req.body?.max_tokens ?? 5) } });
/** Every fault the issue names, by kind; `ok` is weighted in so some requests succeed. */
export const FAULTS: Record<string, Fault> = {
  ok,
  'ok-trickle': (req) => ({ ...ok(req), trickle: { chunks: 4, intervalMs: 20 } }),
  '429-retry-after': () => openaiError(429, 'slow down', { type: 'rate_limit_error', headers: { 'retry-after': '0' } }),
  '429': () => openaiError(429, 'slow down', { type: 'rate_limit_error' }),
  '500': () => openaiError(500, 'boom', { type: 'server_error' }),
  '502': () => ({ status: 502, raw: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } }),
  '503': () => openaiError(503, 'unavailable', { type: 'server_error' }),
  '529': () => openaiError(529, 'overloaded', { type: 'server_error' }),
  hang: () => ({ delay: 5_000, body: openaiCompletionBody() }),
  'reset-mid-body': (req) => ({ ...ok(req), resetMidBody: true }),
  drop: () => ({ drop: true }),
  'malformed-json': () => ({ raw: '{"id":"chatcmpl-x","choices":[{"message":' }),
  'missing-fields': () => ({ body: { id: 'chatcmpl-x', object: 'chat.completion' } }),
  'slow-trickle': (req) => ({ ...ok(req), trickle: { chunks: 8, intervalMs: 100 } }),
};

export function randomFaults(seed: number, okWeight = 4): { responder: Fault; seen: Map<string, number> } {
  const random = prng(seed);
  const kinds = [...Object.keys(FAULTS), ...Array<string>(okWeight).fill('ok')];
  const seen = new Map<string, number>();
  return {
    seen,
    responder: (req) => {
      const kind = kinds[Math.floor(random() * kinds.length)]!;
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
      return FAULTS[kind]!(req);
    },
  };
}

test('every sampling request gets exactly one response while the provider fails at random', { skip: skipUnlessBuilt, timeout: 40_000 }, async () => {
  const fake = await startFakeOpenAI();
  const seed = 20_240_801;
  const { responder, seen } = randomFaults(seed);
  fake.setDefault(responder);
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL, { timeout: '400ms' }), env: { OPENAI_API_KEY: KEY } });
  try {
    const ids = Array.from({ length: 80 }, (_, i) => (i % 2 ? i : `s-${i}`));
    const lines = ids.map((id) => samplingLine(id, { messages: [userText(`question ${String(id)}`)], maxTokens: 5 }));
    const { responses } = await route.call('faulty/emit', { lines, awaitIds: ids, timeoutMs: 30_000 }, 35_000);
    assertExactlyOnce(responses, ids);
    // Nothing late: a second look after more traffic still shows one response each.
    await route.call('ping');
    const again = await route.call('faulty/responses', { ids });
    assertExactlyOnce(again.responses, ids);

    let answered = 0;
    for (const id of ids) {
      const [r] = again.responses[typeof id === 'number' ? `n${id}` : `s${id}`] as Array<{ result?: any; error?: any }>;
      if (r!.result) {
        answered++;
        assert.equal(r!.result.content.type, 'text');
        assert.equal(r!.result.role, 'assistant');
      } else {
        assert.equal(r!.error.code, -32603, `seed ${seed}: ${JSON.stringify(r!.error)}`);
        assert.match(r!.error.message, /^mcp-route:/);
        assert.ok(Array.isArray(r!.error.data.attempts) && r!.error.data.attempts.length > 0);
      }
    }
    assert.ok(answered > 0 && answered < ids.length, `seed ${seed}: ${answered}/${ids.length} answered; faults seen ${JSON.stringify([...seen])}`);
    for (const kind of Object.keys(FAULTS)) assert.ok(seen.has(kind), `seed ${seed}: fault ${kind} was never injected`);
    assert.ok(!route.stderr().includes(KEY));
  } finally {
    const pids = [route.routerPid, route.serverPid];
    await route.close();
    await fake.close();
    await assertAllGone(pids);
  }
});

test('a token budget is never exceeded under faults and concurrency', { skip: skipUnlessBuilt, timeout: 40_000 }, async () => {
  const fake = await startFakeOpenAI();
  const seed = 99;
  fake.setDefault(randomFaults(seed, 10).responder);
  const LIMIT = 60;
  const route = await startRoute({
    policy: openaiPolicy(fake.baseURL, { timeout: '400ms', extra: `budgets:\n  - name: cap\n    tokens: ${LIMIT}\n    per: day\n    onExceed: reject` }),
    env: { OPENAI_API_KEY: KEY },
  });
  try {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const { responses } = await route.call('faulty/emit', { lines: ids.map((id) => samplingLine(id)), awaitIds: ids, timeoutMs: 30_000 }, 35_000);
    assertExactlyOnce(responses, ids);
    let used = 0;
    let rejected = 0;
    let answered = 0;
    for (const id of ids) {
      const r = responses[`n${id}`][0];
      if (r.result) {
        answered++;
        const usage = r.result._meta['mcp-route'].usage;
        used += usage.inputTokens + usage.outputTokens;
      } else if (r.error.code === -32001) rejected++;
    }
    assert.ok(answered > 0, 'some requests must get through');
    assert.ok(rejected > 0, 'the budget must have said no at some point');
    assert.ok(used <= LIMIT, `budget overshoot: ${used} tokens used against a limit of ${LIMIT}`);
  } finally {
    const pids = [route.routerPid, route.serverPid];
    await route.close();
    await fake.close();
    await assertAllGone(pids);
  }
});
