// Budgets through three separate router processes: each runs the real createRouter with the
// real OpenAI client against one fake OpenAI server in this process, sharing one sqlite file
// or one Redis. Counts what reached the provider, not what the gate said.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { estimatePromptTokens } from '../../src/routing/estimate.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { hello, budget, policyWith } from '../helpers/policy.js';
import { stateFor, startLineProcess } from './helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/router-worker.ts', import.meta.url));
const PRICE = { input: 1, output: 2 }; // USD per million tokens
const PROMPT = estimatePromptTokens(hello as never);
// The provider reports exactly the worst case the router reserves, so settling frees nothing
// and "exactly 20" cannot depend on which process settles first.
const USAGE = { prompt: PROMPT, completion: hello.maxTokens };
const USD_EACH = (PROMPT * PRICE.input + hello.maxTokens * PRICE.output) / 1_000_000;

for (const kind of ['sqlite', 'redis'] as const) {
  describe(`budgets across 3 router processes: ${kind}`, () => {
    it('200 sampling requests split over 3 routers: exactly 20 reach the provider, 180 get the budget error, spend equals reported usage', async (t) => {
      const env = await stateFor(t, kind);
      if (!env) return;
      const fake = await startFakeOpenAI();
      fake.setDefault(() => openaiCompletion({ text: 'ok', usage: USAGE }));
      const budgets = [budget({ name: 'team-daily', usd: USD_EACH * 20.5, per: 'day' })];
      const routers = [67, 67, 66].map((count) => startLineProcess(WORKER, { baseURL: fake.baseURL, state: env.state, budgets, price: PRICE, count }));
      try {
        for (const r of routers) assert.equal(await r.next(), 'ready');
        for (const r of routers) r.child.stdin!.write('go\n');
        const results = (await Promise.all(routers.map((r) => r.next()))).map((l) => JSON.parse(l) as { ok: number; budget: number; other: string[]; why: string[] });
        assert.deepEqual(
          results.flatMap((r) => r.other),
          [],
          `no request ended any other way: ${results.flatMap((r) => r.why).join(' | ')}`,
        );
        assert.equal(fake.requests.length, 20, 'requests that reached the provider');
        assert.equal(
          results.reduce((n, r) => n + r.ok, 0),
          20,
          `answered per process: ${results.map((r) => r.ok).join(', ')}`,
        );
        assert.equal(
          results.reduce((n, r) => n + r.budget, 0),
          180,
        );
        const gate = createBudgetGate(policyWith(budgets, env.state));
        try {
          const [row] = await gate.status();
          assert.ok(Math.abs(row!.used - 20 * USD_EACH) < 1e-12, `recorded ${row!.used}, reported ${20 * USD_EACH}`);
          assert.equal(row!.reserved, 0);
        } finally {
          await gate.close();
        }
      } finally {
        for (const r of routers) r.child.kill('SIGKILL');
        await fake.close();
        await env.cleanup();
      }
    });
  });
}
