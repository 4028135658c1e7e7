// Budgets through three separate router processes: each runs the real createRouter with the
// real OpenAI client against one fake OpenAI server in this process, sharing one sqlite file
// or one Redis. Counts what reached the provider, not what the gate said.

import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { estimatePromptTokens } from '../../src/routing/estimate.js';
import type { StateConfig } from '../../src/policy/types.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { hello } from '../router/policy.js';
import { budget, cleanRedis, policyWith, redisReachable, REDIS_URL, uniquePrefix, REDIS_SKIP } from './helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/router-worker.ts', import.meta.url));
const PRICE = { input: 1, output: 2 }; // USD per million tokens
const PROMPT = estimatePromptTokens(hello as never);
// The provider reports exactly the worst case the router reserves, so settling frees nothing
// and "exactly 20" cannot depend on which process settles first.
const USAGE = { prompt: PROMPT, completion: hello.maxTokens };
const USD_EACH = (PROMPT * PRICE.input + hello.maxTokens * PRICE.output) / 1_000_000;

async function stateFor(t: TestContext, kind: 'sqlite' | 'redis'): Promise<{ state: StateConfig; cleanup(): Promise<void> } | undefined> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-route-mpr-'));
    return { state: { store: 'sqlite', path: join(dir, 'state.db'), prefix: 'mcp-route' }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!(await redisReachable())) {
    t.skip(REDIS_SKIP);
    return undefined;
  }
  const prefix = uniquePrefix();
  return { state: { store: 'redis', url: REDIS_URL, prefix }, cleanup: () => cleanRedis(prefix) };
}

function startRouterProcess(config: unknown) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    async next(): Promise<string> {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        const r = await lines.next();
        if (r.done) throw new Error(`router process ended without a line; stderr: ${stderr}`);
        return r.value;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

for (const kind of ['sqlite', 'redis'] as const) {
  describe(`budgets across 3 router processes: ${kind}`, () => {
    it('200 sampling requests split over 3 routers: exactly 20 reach the provider, 180 get the budget error, spend equals reported usage', async (t) => {
      const env = await stateFor(t, kind);
      if (!env) return;
      const fake = await startFakeOpenAI();
      fake.setDefault(() => openaiCompletion({ text: 'ok', usage: USAGE }));
      const budgets = [budget({ name: 'team-daily', usd: USD_EACH * 20.5, per: 'day' })];
      const routers = [67, 67, 66].map((count) => startRouterProcess({ baseURL: fake.baseURL, state: env.state, budgets, price: PRICE, count }));
      try {
        for (const r of routers) assert.equal(await r.next(), 'ready');
        for (const r of routers) r.child.stdin!.write('go\n');
        const results = (await Promise.all(routers.map((r) => r.next()))).map((l) => JSON.parse(l) as { ok: number; budget: number; other: string[] });
        assert.deepEqual(results.flatMap((r) => r.other), [], 'no request ended any other way');
        assert.equal(fake.requests.length, 20, 'requests that reached the provider');
        assert.equal(results.reduce((n, r) => n + r.ok, 0), 20, `answered per process: ${results.map((r) => r.ok).join(', ')}`);
        assert.equal(results.reduce((n, r) => n + r.budget, 0), 180);
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
