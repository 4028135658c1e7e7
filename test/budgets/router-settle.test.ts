// What the router writes to a budget after each kind of outcome, through the real OpenAI
// client against a fake OpenAI server on 127.0.0.1, with every store: a malformed maxTokens
// is refused before any budget is touched, malformed usage never reaches a store, a definitive
// error answer gives its reservation back, and only a call the provider may have billed keeps it.

import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { createBudgetStore } from '../../src/budgets/stores/index.js';
import { estimatePromptTokens } from '../../src/routing/estimate.js';
import { McpRouteError } from '../../src/errors.js';
import type { Budget, Policy, StateConfig } from '../../src/policy/types.js';
import type { BudgetGate, BudgetStatus } from '../../src/budgets/types.js';
import type { Router } from '../../src/router/types.js';
import { startFakeOpenAI, openaiCompletion, openaiError, type FakeOpenAI } from '../helpers/fake-openai.js';
import { hello, modelConfig, providerConfig, testPolicy, budget } from '../helpers/policy.js';
import { stateFor } from './helpers.js';

const PRICE = { input: 1, output: 2 }; // USD per million tokens
const PROMPT = estimatePromptTokens(hello as never);
const WORST_TOKENS = PROMPT + hello.maxTokens;
const WORST_USD = (PROMPT * PRICE.input + hello.maxTokens * PRICE.output) / 1_000_000;

interface Rig {
  fake: FakeOpenAI & { baseURL: string };
  router: Router;
  gate: BudgetGate;
  rows(): Promise<BudgetStatus[]>;
}

function policyFor(baseURL: string, budgets: Budget[], state: StateConfig, defaults: Partial<Policy['defaults']> = {}): Policy {
  const p = testPolicy({
    providers: [providerConfig('oa', 'openai', { apiKey: 'sk-test-123456', baseURL })],
    models: [modelConfig('gpt-a', 'oa', { cost: PRICE })],
    defaults: { models: ['gpt-a'], retry: { attempts: 1, initialDelay: 1, maxDelay: 1 }, ...defaults },
  });
  return { ...p, budgets, state };
}

async function withRig(t: TestContext, kind: 'memory' | 'sqlite' | 'redis', budgets: Budget[], fn: (rig: Rig) => Promise<void>, defaults: Partial<Policy['defaults']> = {}): Promise<void> {
  const env = await stateFor(t, kind);
  if (!env) return;
  const fake = await startFakeOpenAI();
  const policy = policyFor(fake.baseURL, budgets, env.state, defaults);
  const store = createBudgetStore(env.state);
  const gate = createBudgetGate(policy, { store });
  const router = createRouter(policy, { budgetGate: gate });
  try {
    await fn({ fake, router, gate, rows: () => gate.status() });
  } finally {
    await router.close();
    await gate.close();
    await store.close();
    await fake.close();
    await env.cleanup();
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof McpRouteError, String(err));
    return err.code;
  }
}

const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;

for (const kind of ['memory', 'sqlite', 'redis'] as const) {
  describe(`what the router settles: ${kind} store`, () => {
    it('refuses maxTokens below 1 with -32602 before any budget or provider is touched', async (t) => {
      const budgets = [budget({ name: 'spend', usd: 0.01 }), budget({ name: 'tok', tokens: 2000 })];
      await withRig(t, kind, budgets, async ({ fake, router, rows }) => {
        fake.setDefault(() => openaiError(400, "Invalid 'max_tokens': integer below minimum value"));
        for (const maxTokens of [-1_000_000, 0, -1]) {
          await assert.rejects(router.createMessage({ ...hello, maxTokens }), (err: McpRouteError) => {
            assert.equal(err.code, 'INVALID_PARAMS');
            assert.match(err.message, new RegExp(`maxTokens: must be a positive integer, got ${maxTokens}`));
            return true;
          });
        }
        assert.equal(fake.requests.length, 0);
        for (const row of await rows()) assert.deepEqual([row.used, row.reserved], [0, 0], `${row.name} untouched`);
        // and the budget still holds: it admits what it admitted before, no more
        fake.setDefault(() => openaiCompletion({ usage: { prompt: PROMPT, completion: hello.maxTokens } }));
        const codes = [];
        for (let i = 0; i < 25; i++) codes.push(await codeOf(router.createMessage(hello)));
        assert.equal(codes.filter((c) => c === 'ok').length, Math.floor(2000 / WORST_TOKENS));
      });
    });

    it('a usage report that is not non-negative integers counts as the worst case, never as a credit or a string', async (t) => {
      await withRig(t, kind, [budget({ name: 'spend', usd: 1 }), budget({ name: 'tok', tokens: 1_000_000 })], async ({ fake, router, rows }) => {
        const bodies = [
          { prompt_tokens: -1_000_000, completion_tokens: 5 },
          { prompt_tokens: '100', completion_tokens: 5 },
          { prompt_tokens: 12, completion_tokens: 1.5 },
        ];
        for (const usage of bodies) {
          fake.enqueue({ body: { ...(openaiCompletion().body as object), usage } });
          const result = await router.createMessage(hello);
          const meta = (result._meta as Record<string, { usage: unknown }>)['mcp-route']!;
          assert.deepEqual(meta.usage, { inputTokens: PROMPT, outputTokens: hello.maxTokens }, 'reports what was counted');
        }
        const byName = Object.fromEntries((await rows()).map((r) => [r.name, r]));
        assert.ok(near(byName.spend!.used, 3 * WORST_USD), `usd used ${byName.spend!.used}`);
        assert.equal(byName.tok!.used, 3 * WORST_TOKENS);
        assert.equal(typeof byName.tok!.used, 'number');
      });
    });

    it('gives the reservation back on a definitive error answer (400, 401, 403, 404, 422, 429, 500 with a body)', async (t) => {
      await withRig(t, kind, [budget({ name: 'daily', usd: WORST_USD * 1.5 }), budget({ name: 'tok', tokens: WORST_TOKENS * 1.5 })], async ({ fake, router, rows }) => {
        for (const status of [400, 401, 403, 404, 422, 429, 500]) {
          fake.enqueue(openaiError(status, `refused with ${status}`));
          assert.equal(await codeOf(router.createMessage(hello)), 'ALL_CANDIDATES_FAILED', `status ${status}`);
        }
        for (const row of await rows()) assert.deepEqual([row.used, row.reserved], [0, 0], `${row.name} after seven refusals`);
        fake.setDefault(() => openaiCompletion({ usage: { prompt: 12, completion: 5 } }));
        assert.equal(await codeOf(router.createMessage(hello)), 'ok', 'the budget still admits a request after the refusals');
        assert.equal(fake.requests.length, 8);
      });
    });

    it('keeps the worst case where the provider may have billed: a timeout, and a bare 5xx without a body', async (t) => {
      await withRig(
        t,
        kind,
        [budget({ name: 'daily', usd: 1 })],
        async ({ fake, router, rows }) => {
          fake.enqueue(openaiCompletion({}, { delay: 5_000 }));
          assert.equal(await codeOf(router.createMessage(hello)), 'ALL_CANDIDATES_FAILED');
          const [afterTimeout] = await rows();
          assert.ok(near(afterTimeout!.used, WORST_USD), `after a timeout: ${afterTimeout!.used}`);
          fake.enqueue({ status: 502, raw: '' });
          assert.equal(await codeOf(router.createMessage(hello)), 'ALL_CANDIDATES_FAILED');
          const [afterBare] = await rows();
          assert.ok(near(afterBare!.used, 2 * WORST_USD), `after a bare 502: ${afterBare!.used}`);
          assert.equal(afterBare!.reserved, 0);
        },
        { timeout: 300 },
      );
    });
  });
}

describe('rate limits count every HTTP call', () => {
  it('rpm: 2 lets exactly 2 HTTP calls through for 3 requests of 3 attempts each against a 500', async (t) => {
    const budgets = [budget({ name: 'oa-rate', rpm: 2, scope: { kind: 'select', provider: 'oa' } })];
    await withRig(
      t,
      'memory',
      budgets,
      async ({ fake, router, rows }) => {
        fake.setDefault(() => openaiError(500, 'upstream exploded', { type: 'server_error' }));
        const errors = await Promise.allSettled([router.createMessage(hello), router.createMessage(hello), router.createMessage(hello)]);
        assert.equal(fake.requests.length, 2, 'HTTP calls that reached the provider');
        const messages = errors.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'));
        assert.ok(
          messages.some((m) => /retry not made: budget "oa-rate" \(rpm/.test(m)),
          messages.join('\n'),
        );
        const [row] = await rows();
        assert.equal(row!.used + row!.reserved, 2, 'both calls stay counted for their minute');
      },
      { retry: { attempts: 3, initialDelay: 1, maxDelay: 2 }, cooldown: 0 },
    );
  });

  it('tpm counts each retry by its size, and an answered call by its reported usage', async (t) => {
    const budgets = [budget({ name: 'oa-tpm', tpm: WORST_TOKENS * 2.5 })];
    await withRig(
      t,
      'memory',
      budgets,
      async ({ fake, router, rows }) => {
        fake.enqueue(openaiError(503, 'overloaded', { type: 'server_error' }), openaiCompletion({ usage: { prompt: 10, completion: 7 } }));
        assert.equal(await codeOf(router.createMessage(hello)), 'ok');
        assert.equal(fake.requests.length, 2);
        const [row] = await rows();
        assert.equal(row!.used, WORST_TOKENS + 17, 'the failed call at its size, the answered one at its usage');
        assert.equal(row!.reserved, 0);
      },
      { retry: { attempts: 3, initialDelay: 1, maxDelay: 2 }, cooldown: 0 },
    );
  });
});

describe('the deadline bounds a wait for budget capacity', () => {
  it('answers DEADLINE_EXCEEDED at the deadline although maxWait is longer, and the late request never takes the slot', async (t) => {
    const budgets = [budget({ name: 'one-at-a-time', concurrency: 1, onExceed: 'wait', maxWait: 30_000 })];
    await withRig(
      t,
      'memory',
      budgets,
      async ({ fake, router, gate, rows }) => {
        const holder = await gate.reserve({ provider: 'oa', model: 'gpt-a', tokens: 1, usd: 0 });
        assert.ok(holder.ok);
        const t0 = performance.now();
        await assert.rejects(router.createMessage(hello), (err: McpRouteError) => err.code === 'DEADLINE_EXCEEDED');
        const took = performance.now() - t0;
        assert.ok(took >= 450 && took < 3_000, `answered after ${Math.round(took)} ms (deadline 500 ms, maxWait 30 s)`);
        await holder.reservation.release();
        // Give a waiter that outlived its deadline every chance to grab the freed slot.
        await new Promise((resolve) => setTimeout(resolve, 400));
        const [row] = await rows();
        assert.equal(row!.reserved, 0, 'nothing holds the slot');
        assert.equal(fake.requests.length, 0);
      },
      { deadline: 500 },
    );
  });
});
