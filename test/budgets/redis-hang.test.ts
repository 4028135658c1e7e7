// A Redis that accepts connections and never answers, and a partition mid-run, with real TCP
// sockets on 127.0.0.1: every store call, the router, `mcp-route budgets` and `mcp-route run`
// end within a bounded time with an error that names the store, instead of hanging.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisBudgetStore } from '../../src/budgets/stores/redis.js';
import { createRouter } from '../../src/index.js';
import { McpRouteError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { startRelay, startSilentServer } from '../helpers/tcp-faults.js';
import { e2e, spawnRun, sample, isAlive } from '../e2e/harness.js';
import { REDIS_SKIP, REDIS_URL, cleanRedis, redisReachable, uniquePrefix } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mcp-route-redis-hang-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A hang fails the test instead of stalling the suite. */
const BOUNDED = { timeout: 30_000 };
const CLAIM = { key: 'b|global|rpm', kind: 'sliding' as const, windowMs: 60_000, limit: 10, amount: 1 };

function isStoreError(err: unknown): boolean {
  assert.ok(err instanceof McpRouteError, String(err));
  assert.equal(err.code, 'STORE_ERROR');
  assert.match(err.message, /^budget store redis at redis:\/\/127\.0\.0\.1:\d+: \w+ failed: .*check state\.url/);
  return true;
}

function policyYaml(url: string, deadline = '3s'): string {
  return `version: 1
providers: { canned: { type: mock, responses: [ { text: hi } ] } }
models: { m: { provider: canned, cost: { input: 1, output: 1 } } }
defaults: { models: [m], deadline: ${deadline} }
budgets:
  - { name: daily, usd: 5, per: day }
state: { store: redis, url: "${url}" }
`;
}

describe('a Redis that accepts connections and never answers', () => {
  it('fails each store call within the connect timeout, and close() returns at once', BOUNDED, async () => {
    const silent = await startSilentServer();
    const store = createRedisBudgetStore({ url: `redis://127.0.0.1:${silent.port}`, prefix: 'x', connectTimeoutMs: 500 });
    try {
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        await assert.rejects(store.reserve('id', [CLAIM], Date.now(), Date.now() + 1000), isStoreError);
        assert.ok(performance.now() - t0 < 3_000, `store call ${i} took ${Math.round(performance.now() - t0)} ms`);
      }
      assert.ok(silent.connections() >= 1, 'the store really connected');
      const t0 = performance.now();
      await store.close();
      assert.ok(performance.now() - t0 < 1_000);
    } finally {
      await silent.close();
    }
  });

  it("the router answers within the request's deadline although the store never does", BOUNDED, async () => {
    const silent = await startSilentServer();
    const path = join(dir, 'router.yaml');
    writeFileSync(path, policyYaml(`redis://127.0.0.1:${silent.port}`, '1s'));
    const router = createRouter(path);
    try {
      const t0 = performance.now();
      await assert.rejects(router.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 }), (err: McpRouteError) => {
        assert.equal(err.code, 'DEADLINE_EXCEEDED');
        return true;
      });
      assert.ok(performance.now() - t0 < 2_500, `answered after ${Math.round(performance.now() - t0)} ms`);
    } finally {
      const t0 = performance.now();
      await router.close();
      assert.ok(performance.now() - t0 < 3_000, `close took ${Math.round(performance.now() - t0)} ms`);
      await silent.close();
    }
  });

  it('`mcp-route budgets` exits 1 with one line naming the store', e2e, async () => {
    const silent = await startSilentServer();
    const path = join(dir, 'cli.yaml');
    writeFileSync(path, policyYaml(`redis://127.0.0.1:${silent.port}`));
    try {
      const t0 = performance.now();
      const r = await runCli(['budgets', '--policy', path], { timeoutMs: 20_000 });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /^mcp-route budgets: budget store redis at redis:\/\/127\.0\.0\.1:\d+: \w+ failed: no answer within 3000 ms; check state\.url and that Redis is running\n$/);
      assert.ok(performance.now() - t0 < 10_000, `returned after ${Math.round(performance.now() - t0)} ms`);
    } finally {
      await silent.close();
    }
  });

  it('`mcp-route run`: the sampling request is answered by its deadline, and mcp-route exits promptly after its server', e2e, async () => {
    const silent = await startSilentServer();
    const path = join(dir, 'run.yaml');
    writeFileSync(path, policyYaml(`redis://127.0.0.1:${silent.port}`));
    const run = await spawnRun(['--policy', path, '--grace', '300'], { timeoutMs: 25_000 });
    try {
      const t0 = performance.now();
      const report = await sample(run.client, { prompt: 'hi', maxTokens: 5 });
      assert.equal(report.ok, false);
      assert.equal(report.code, -32603);
      assert.match(report.message, /mcp-route: (no answer within the 3000ms deadline|budget store redis)/);
      // Generous for a loaded machine (the router loads lazily); before the fix it was never answered.
      assert.ok(performance.now() - t0 < 10_000, `answered after ${Math.round(performance.now() - t0)} ms (deadline 3 s)`);
      const t1 = performance.now();
      await run.client.callTool({ name: 'crash', arguments: { code: 0 } }).catch(() => {});
      const { code } = await run.exited;
      assert.equal(code, 0);
      assert.ok(performance.now() - t1 < 4_000, `mcp-route exited ${Math.round(performance.now() - t1)} ms after its server`);
      assert.equal(isAlive(run.child.pid!), false);
    } finally {
      await silent.close();
    }
  });
});

describe('a partition between mcp-route and Redis mid-run', () => {
  it('times a command out instead of hanging, and works again once the network heals', BOUNDED, async (t) => {
    if (!(await redisReachable())) return void t.skip(REDIS_SKIP);
    const target = new URL(REDIS_URL);
    const relay = await startRelay({ host: target.hostname, port: Number(target.port || 6379) });
    const prefix = uniquePrefix();
    const store = createRedisBudgetStore({ url: `redis://127.0.0.1:${relay.port}`, prefix, commandTimeoutMs: 500 });
    try {
      assert.deepEqual(await store.reserve('a', [CLAIM], Date.now(), Date.now() + 10_000), { ok: true });
      relay.cut();
      const t0 = performance.now();
      await assert.rejects(store.reserve('b', [CLAIM], Date.now(), Date.now() + 10_000), (err: McpRouteError) => {
        isStoreError(err);
        assert.match(err.message, /timed out/i);
        return true;
      });
      assert.ok(performance.now() - t0 < 3_000, `failed after ${Math.round(performance.now() - t0)} ms`);
      relay.heal();
      assert.deepEqual(await store.reserve('c', [CLAIM], Date.now(), Date.now() + 10_000), { ok: true }, 'a fresh connection after the partition');
      const [state] = await store.read([CLAIM], Date.now());
      assert.ok(state!.reserved >= 2, `holds a and c (b may or may not have reached Redis): ${state!.reserved}`);
    } finally {
      await store.close();
      await relay.close();
      await cleanRedis(prefix);
    }
  });
});
