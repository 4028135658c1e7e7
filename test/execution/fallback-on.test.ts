// Which failures move on to the next candidate: a 400 that says this model does not support a
// parameter, the policy's `fallbackOn`, and the catalogue's params.drop that keeps reasoning
// models from seeing temperature at all. Real openai SDK against fake servers on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import { McpRouteError, ProviderError } from '../../src/errors.js';
import { movesOn } from '../../src/execution/fallback-on.js';
import { normalisePolicy } from '../../src/policy/load.js';
import { startFakeOpenAI, openaiCompletion, openaiError, type FakeOpenAI } from '../helpers/fake-openai.js';
import { FAST, modelConfig, providerConfig, testPolicy } from '../helpers/policy.js';

const UNSUPPORTED = "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.";
const warm = { messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }], maxTokens: 50, temperature: 0.7 };

/** A fake that behaves like a reasoning model: any temperature is a 400. */
function rejectTemperature(fake: FakeOpenAI): void {
  fake.setDefault((req) =>
    req.body?.temperature !== undefined
      ? openaiError(400, UNSUPPORTED, { code: 'unsupported_value' })
      : openaiCompletion({ text: `answered by ${String(req.body?.model)}`, model: String(req.body?.model) }),
  );
}

async function rejection(p: Promise<unknown>): Promise<McpRouteError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof McpRouteError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

test('a 400 naming a parameter this model does not support moves to the next candidate', async () => {
  const reasoning = await startFakeOpenAI();
  const classic = await startFakeOpenAI();
  rejectTemperature(reasoning);
  try {
    const router = createRouter(
      testPolicy({
        providers: [providerConfig('r', 'openai', { apiKey: 'sk-r-123456789', baseURL: reasoning.baseURL }), providerConfig('c', 'openai', { apiKey: 'sk-c-123456789', baseURL: classic.baseURL })],
        // Custom ids: the catalogue knows nothing about them, so the 400 does happen.
        models: [modelConfig('thinker', 'r'), modelConfig('plain', 'c')],
        defaults: { models: ['thinker', 'plain'] },
      }),
    );
    const result = await router.createMessage(warm);
    assert.equal(result.model, 'plain');
    assert.equal(reasoning.requests.length, 1, 'not retried: the same request would fail the same way');
    assert.equal(classic.requests.length, 1);
    assert.equal(classic.requests[0]!.body.temperature, 0.7);
    await router.close();
  } finally {
    await reasoning.close();
    await classic.close();
  }
});

test('built-in reasoning models never get temperature, top_p or stop; gpt-4.1 still does', async () => {
  const fake = await startFakeOpenAI();
  rejectTemperature(fake);
  try {
    const policy = normalisePolicy({
      version: 1,
      providers: { openai: { type: 'openai', apiKey: 'sk-test-12345678', baseURL: fake.baseURL } },
      models: { 'gpt-5.1': {}, o3: {}, 'gpt-4.1': {} },
    });
    assert.deepEqual(policy.models['gpt-5.1']!.params, { drop: ['temperature', 'top_p', 'stop'], set: {} });
    assert.equal(policy.models['gpt-4.1']!.params, undefined);
    const router = createRouter(policy);
    for (const hint of ['gpt-5.1', 'o3']) {
      const result = await router.createMessage({ ...warm, stopSequences: ['END'], modelPreferences: { hints: [{ name: hint }] } });
      assert.equal(result.model, hint);
    }
    for (const req of fake.requests) {
      assert.equal('temperature' in req.body, false, `${req.body.model} got temperature`);
      assert.equal('stop' in req.body, false, `${req.body.model} got stop`);
    }
    fake.setDefault(() => openaiCompletion({ model: 'gpt-4.1' }));
    await router.createMessage({ ...warm, modelPreferences: { hints: [{ name: 'gpt-4.1' }] } });
    assert.equal(fake.requests.at(-1)!.body.temperature, 0.7);
    await router.close();
  } finally {
    await fake.close();
  }
});

test('a policy can undo or extend a built-in drop list and set fields per model', async () => {
  const fake = await startFakeOpenAI();
  try {
    const policy = normalisePolicy({
      version: 1,
      providers: { openai: { type: 'openai', apiKey: 'sk-test-12345678', baseURL: fake.baseURL } },
      models: { 'gpt-5.1': { params: { drop: [], set: { reasoning_effort: 'none' } } }, 'gpt-4.1': { params: { drop: ['stop'] } } },
    });
    const router = createRouter(policy);
    await router.createMessage({ ...warm, stopSequences: ['END'], modelPreferences: { hints: [{ name: 'gpt-5.1' }] } });
    await router.createMessage({ ...warm, stopSequences: ['END'], modelPreferences: { hints: [{ name: 'gpt-4.1' }] } });
    const [five, four] = fake.requests.map((r) => r.body);
    assert.equal(five.temperature, 0.7, '`drop: []` sends everything again');
    assert.equal(five.reasoning_effort, 'none');
    assert.deepEqual(five.stop, ['END']);
    assert.equal(four.temperature, 0.7);
    assert.equal('stop' in four, false);
    await router.close();
  } finally {
    await fake.close();
  }
});

test('fallbackOn decides which statuses move on; the error names what was not tried', async () => {
  const first = await startFakeOpenAI();
  const second = await startFakeOpenAI();
  first.setDefault(() => openaiError(400, "Invalid value for 'n': only 1 is allowed"));
  try {
    const policyWith = (fallbackOn?: Array<number | '4xx' | '5xx' | 'default'>) =>
      testPolicy({
        providers: [providerConfig('a', 'openai', { apiKey: 'sk-a-123456789', baseURL: first.baseURL }), providerConfig('b', 'openai', { apiKey: 'sk-b-123456789', baseURL: second.baseURL })],
        models: [modelConfig('m1', 'a'), modelConfig('m2', 'b'), modelConfig('m3', 'b')],
        defaults: { models: ['m1', 'm2', 'm3'], ...(fallbackOn ? { fallbackOn } : {}) },
      });

    const stopped = createRouter(policyWith());
    const e = await rejection(stopped.createMessage(warm));
    assert.equal(e.code, 'ALL_CANDIDATES_FAILED');
    assert.match(e.message, /^mcp-route: stopped after a non-retryable error: a\/m1: HTTP 400 /);
    assert.match(e.message, /; not tried: b\/m2, b\/m3 \(list 400 under fallbackOn/);
    assert.doesNotMatch(e.message, /every candidate failed|a\/m1: a\/m1/);
    assert.equal(second.requests.length, 0);

    const extended = createRouter(policyWith(['default', 400]));
    assert.equal((await extended.createMessage(warm)).model, 'm2');

    // Without `default`, only the listed statuses move on: a 401 then ends the request.
    first.setDefault(() => openaiError(401, 'bad key', { type: 'authentication_error' }));
    const only5xx = createRouter(policyWith(['5xx']));
    const e2 = await rejection(only5xx.createMessage(warm));
    assert.match(e2.message, /stopped after a non-retryable error: a\/m1: HTTP 401 .*not tried: b\/m2, b\/m3/);
    await Promise.all([stopped.close(), extended.close(), only5xx.close()]);
  } finally {
    await first.close();
    await second.close();
  }
});

test('movesOn: statuses, classes and default; failures without a status always move on', () => {
  const err = (status: number | undefined, tryNext: boolean) => new ProviderError({ provider: 'p', model: 'm', message: 'x', status, tryNext });
  assert.equal(movesOn(err(400, false), undefined), false);
  assert.equal(movesOn(err(400, true), undefined), true);
  assert.equal(movesOn(err(400, false), [400]), true);
  assert.equal(movesOn(err(422, false), ['4xx']), true);
  assert.equal(movesOn(err(503, true), ['4xx']), false);
  assert.equal(movesOn(err(503, true), ['5xx']), true);
  assert.equal(movesOn(err(401, true), ['default']), true);
  assert.equal(movesOn(err(401, true), [429]), false);
  assert.equal(movesOn(err(undefined, true), [429]), true, 'a timeout moves on whatever the list says');
  assert.equal(movesOn(new McpRouteError('UNSUPPORTED_CONTENT', 'no audio'), [500]), true);
});

test('fallbackOn in a policy file: normalised per rule, refused when it is not a status', () => {
  const policy = normalisePolicy({
    version: 1,
    providers: { m: { type: 'mock' } },
    models: { x: { provider: 'm' } },
    defaults: { fallbackOn: ['default', 400] },
    rules: [{ name: 'strict', when: { server: 'prod-*' }, fallbackOn: ['5xx'] }],
  });
  assert.deepEqual(policy.defaults.fallbackOn, ['default', 400]);
  assert.deepEqual(policy.rules[0]!.settings.fallbackOn, ['5xx']);
  assert.throws(
    () => normalisePolicy({ version: 1, providers: { m: { type: 'mock' } }, defaults: { fallbackOn: ['sometimes'] } }),
    (e: Error) =>
      /fallbackOn/.test(JSON.stringify((e as unknown as { diagnostics: unknown }).diagnostics)) &&
      /HTTP status \(400\.\.599\), 4xx, 5xx or default/.test(JSON.stringify((e as unknown as { diagnostics: unknown }).diagnostics)),
  );
  assert.equal(FAST.fallbackOn, undefined);
});
