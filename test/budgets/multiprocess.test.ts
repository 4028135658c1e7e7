// Budgets shared by separate OS processes: three router-like processes race for one budget
// through the same sqlite file or the same Redis, and a killed process's holds come back
// once their lease ends.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { createBudgetStore } from '../../src/budgets/stores/index.js';
import { budget, policyWith } from '../helpers/policy.js';
import { stateFor, startLineProcess } from './helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/reserve-worker.ts', import.meta.url));

for (const kind of ['sqlite', 'redis'] as const) {
  describe(`budgets across processes: ${kind}`, () => {
    it('admits exactly 20 of 200 reservations split over 3 processes, and records the reported spend', async (t) => {
      const env = await stateFor(t, kind);
      if (!env) return;
      const budgets = [budget({ name: 'team-daily', usd: 1, per: 'day' })];
      const workers = [67, 67, 66].map((count) => startLineProcess(WORKER, { state: env.state, budgets, mode: 'burst', count, actual: { tokens: 700, usd: 0.04 } }));
      try {
        for (const w of workers) assert.equal(await w.next(), 'ready');
        for (const w of workers) w.child.stdin!.write('go\n');
        const results = (await Promise.all(workers.map((w) => w.next()))).map((l) => JSON.parse(l) as { admitted: number; refused: number });
        const admitted = results.reduce((n, r) => n + r.admitted, 0);
        const refused = results.reduce((n, r) => n + r.refused, 0);
        assert.equal(admitted, 20, `per process: ${results.map((r) => r.admitted).join(', ')}`);
        assert.equal(refused, 180);
        for (const w of workers) w.child.stdin!.write('settle\n');
        for (const w of workers) assert.equal(await w.next(), 'settled');
        const policy = policyWith(budgets, env.state);
        const gate = createBudgetGate(policy);
        try {
          const [row] = await gate.status();
          assert.ok(Math.abs(row!.used - 20 * 0.04) < 1e-9, `recorded spend ${row!.used}`);
          assert.equal(row!.reserved, 0);
        } finally {
          await gate.close();
        }
      } finally {
        for (const w of workers) w.child.kill('SIGKILL');
        await env.cleanup();
      }
    });

    it("frees a killed process's reservation after its lease, not before and not never", async (t) => {
      const env = await stateFor(t, kind);
      if (!env) return;
      const budgets = [budget({ name: 'single-flight', concurrency: 1 })];
      const leaseMs = 2500; // long enough that killing the worker cannot outlast it on a loaded machine
      const worker = startLineProcess(WORKER, { state: env.state, budgets, mode: 'hold', leaseMs });
      const store = createBudgetStore(env.state);
      const gate = createBudgetGate(policyWith(budgets, env.state), { store });
      try {
        assert.deepEqual(JSON.parse(await worker.next()), { held: true });
        const heldAt = Date.now();
        const exited = new Promise((r) => worker.child.once('exit', r));
        worker.child.kill('SIGKILL');
        await exited;
        const req = { server: 'github', provider: 'anthropic', model: 'claude-sonnet-4-5', tokens: 1, usd: 0 };
        const early = await gate.reserve(req);
        assert.equal(early.ok, false, 'the dead process still holds the slot while its lease runs');
        const deadline = Date.now() + 10_000;
        let freedAt: number | undefined;
        while (Date.now() < deadline) {
          const r = await gate.reserve(req);
          if (r.ok) {
            freedAt = Date.now();
            await r.reservation.release();
            break;
          }
          await new Promise((res) => setTimeout(res, 50));
        }
        assert.ok(freedAt !== undefined, 'the slot came back within 10 s');
        assert.ok(freedAt - heldAt >= leaseMs - 100, `freed after ${freedAt - heldAt} ms, lease ${leaseMs} ms`);
      } finally {
        worker.child.kill('SIGKILL');
        await gate.close();
        await store.close();
        await env.cleanup();
      }
    });
  });
}
