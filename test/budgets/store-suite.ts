// The one behaviour suite every budget store runs (memory, sqlite, redis): the gate on top
// of the store must admit exactly what the limits allow, all-or-nothing across budgets,
// under 200 simultaneous reservations, and keep its numbers straight through settle/release.

import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createBudgetGate } from '../../src/budgets/gate.js';
import type { BudgetStore } from '../../src/budgets/store.js';
import type { Budget } from '../../src/policy/types.js';
import type { ReserveResult } from '../../src/budgets/types.js';
import { budget, fakeClock, policyWith } from '../helpers/policy.js';

export interface StoreHarness {
  /** A fresh, empty store. */
  open(): Promise<BudgetStore>;
  /** A second handle on the same data (a restart), when the store persists. */
  reopen?(): Promise<BudgetStore>;
  /** Undefined when the store can run here; otherwise why not (shown as a skip). */
  unavailable?(): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

const REQ = { server: 'github', provider: 'anthropic', model: 'claude-sonnet-4-5', tokens: 1000, usd: 0.05 };

function admitted(results: ReserveResult[]): Array<Extract<ReserveResult, { ok: true }>> {
  return results.filter((r): r is Extract<ReserveResult, { ok: true }> => r.ok);
}

export function storeSuite(name: string, harness: StoreHarness): void {
  describe(`budget store: ${name}`, () => {
    async function withGate(
      t: TestContext,
      budgets: Budget[],
      fn: (gate: ReturnType<typeof createBudgetGate>, clock: ReturnType<typeof fakeClock>, store: BudgetStore) => Promise<void>,
      useFakeClock = true,
    ): Promise<void> {
      const why = await harness.unavailable?.();
      if (why) {
        t.skip(why);
        return;
      }
      const store = await harness.open();
      const clock = fakeClock();
      const gate = createBudgetGate(policyWith(budgets), { store, now: useFakeClock ? clock.now : undefined, pollMs: 20 });
      try {
        await fn(gate, clock, store);
      } finally {
        await gate.close();
        await store.close();
        await harness.cleanup();
      }
    }

    it('admits exactly 20 of 200 simultaneous reservations against a $1 budget of $0.05 requests, and records the real spend', async (t) => {
      await withGate(t, [budget({ name: 'daily', usd: 1, per: 'day' })], async (gate) => {
        const results = await Promise.all(Array.from({ length: 200 }, () => gate.reserve(REQ)));
        const ok = admitted(results);
        assert.equal(ok.length, 20);
        const refused = results.filter((r) => !r.ok);
        assert.equal(refused.length, 180);
        for (const r of refused) if (!r.ok) assert.equal(r.budget, 'daily');
        const [before] = await gate.status();
        assert.ok(Math.abs(before!.reserved - 1) < 1e-9, `reserved ${before!.reserved}`);
        // the provider reports $0.03 per call: settled spend is exactly what was reported
        await Promise.all(ok.map((r) => r.reservation.settle({ tokens: 600, usd: 0.03 })));
        const [after] = await gate.status();
        assert.ok(Math.abs(after!.used - 0.6) < 1e-9, `used ${after!.used}`);
        assert.equal(after!.reserved, 0);
        assert.ok(Math.abs(after!.remaining - 0.4) < 1e-9);
      });
    });

    it('takes nothing from any budget when one of them refuses (all or nothing)', async (t) => {
      const budgets = [budget({ name: 'spend', usd: 10 }), budget({ name: 'parallel', concurrency: 5, scope: { kind: 'provider' } })];
      await withGate(t, budgets, async (gate) => {
        const results = await Promise.all(Array.from({ length: 50 }, () => gate.reserve(REQ)));
        assert.equal(admitted(results).length, 5);
        for (const r of results) if (!r.ok) assert.equal(r.budget, 'parallel');
        const rows = await gate.status();
        const spend = rows.find((r) => r.name === 'spend')!;
        assert.ok(Math.abs(spend.reserved - 0.25) < 1e-9, `spend reserved ${spend.reserved}: refused requests must not hold money`);
        const parallel = rows.find((r) => r.name === 'parallel')!;
        assert.equal(parallel.scope, 'provider=anthropic');
        assert.equal(parallel.reserved, 5);
      });
    });

    it('gives capacity back on release and on settle of a concurrency hold', async (t) => {
      await withGate(t, [budget({ name: 'one-at-a-time', concurrency: 1 })], async (gate) => {
        const a = await gate.reserve(REQ);
        assert.ok(a.ok);
        const b = await gate.reserve(REQ);
        assert.equal(b.ok, false);
        if (!b.ok) assert.match(b.message, /one-at-a-time.*concurrency.*limit 1/);
        await a.reservation.release();
        const c = await gate.reserve(REQ);
        assert.ok(c.ok);
        await c.reservation.settle({ tokens: 10, usd: 0 });
        const d = await gate.reserve(REQ);
        assert.ok(d.ok);
        await d.reservation.release();
      });
    });

    it('settling replaces the worst case with the real usage, freeing the difference', async (t) => {
      await withGate(t, [budget({ name: 'tok', tokens: 3000, per: 'hour' })], async (gate) => {
        const first = await Promise.all([gate.reserve(REQ), gate.reserve(REQ), gate.reserve(REQ), gate.reserve(REQ)]);
        assert.equal(admitted(first).length, 3);
        await admitted(first)[0]!.reservation.settle({ tokens: 200, usd: 0.01 });
        // 200 used + 2000 reserved: one more 1000-token worst case does not fit, 800 does
        assert.equal((await gate.reserve(REQ)).ok, false);
        const small = await gate.reserve({ ...REQ, tokens: 800 });
        assert.ok(small.ok);
        const [row] = await gate.status();
        assert.equal(row!.used, 200);
        assert.equal(row!.reserved, 2800);
        assert.equal(row!.remaining, 0);
      });
    });

    it('settles an amount that is not a non-negative finite number to the reserved worst case, and refuses to reserve one', async (t) => {
      await withGate(t, [budget({ name: 'spend', usd: 1 }), budget({ name: 'tok', tokens: 100_000 }), budget({ name: 'rate', tpm: 100_000 })], async (gate) => {
        const bad = [
          { tokens: -1_000_000, usd: -10 },
          { tokens: Number.NaN, usd: Number.POSITIVE_INFINITY },
          { tokens: '600' as unknown as number, usd: '0.01' as unknown as number },
        ];
        for (const actual of bad) {
          const r = await gate.reserve(REQ);
          assert.ok(r.ok);
          await r.reservation.settle(actual);
        }
        const byName = Object.fromEntries((await gate.status()).map((row) => [row.name, row]));
        assert.ok(Math.abs(byName.spend!.used - 3 * REQ.usd) < 1e-9, `usd used ${byName.spend!.used}`);
        assert.equal(byName.tok!.used, 3 * REQ.tokens);
        assert.equal(byName.rate!.used, 3 * REQ.tokens);
        for (const row of Object.values(byName)) assert.equal(row.reserved, 0);
        for (const amounts of [{ tokens: -5 }, { usd: Number.NaN }, { tokens: Number.POSITIVE_INFINITY }]) {
          await assert.rejects(gate.reserve({ ...REQ, ...amounts }), (err: Error & { code?: string }) => err.code === 'INVALID_PARAMS' && /non-negative finite/.test(err.message));
        }
      });
    });

    it('reset forgets one budget (every scope, spend, holds and rate entries) and leaves the others', async (t) => {
      const budgets = [budget({ name: 'per-server', usd: 1, rpm: 100, scope: { kind: 'server' } }), budget({ name: 'per-server-2', usd: 1 })];
      await withGate(t, budgets, async (gate) => {
        for (const server of ['github', 'slack']) {
          const r = await gate.reserve({ ...REQ, server });
          assert.ok(r.ok);
          await r.reservation.settle({ tokens: 10, usd: 0.4 });
        }
        const held = await gate.reserve(REQ);
        assert.ok(held.ok);
        assert.equal(await gate.reset!('per-server'), 4, 'usd and rpm counters for two servers');
        const rows = await gate.status({ server: 'github' });
        for (const row of rows.filter((r) => r.name === 'per-server')) assert.deepEqual([row.used, row.reserved], [0, 0], row.limit);
        const other = rows.find((r) => r.name === 'per-server-2')!;
        assert.ok(Math.abs(other.used - 0.8) < 1e-9 && Math.abs(other.reserved - REQ.usd) < 1e-9, 'a budget whose name merely starts the same is untouched');
        await assert.rejects(gate.reset!('nope'), (err: Error & { code?: string }) => err.code === 'INVALID_PARAMS' && /no budget named "nope".*"per-server", "per-server-2"/.test(err.message));
        await held.reservation.release();
      });
    });

    it('never admits more than rpm: 30 in any 60 s span across 100 requests (fake clock)', async (t) => {
      await withGate(t, [budget({ name: 'rate', rpm: 30 })], async (gate, clock) => {
        const times: number[] = [];
        const t0 = clock.now();
        // 100 requests, one every 1.7 s, bursts of 5 at the same instant every 10th
        for (let i = 0; i < 100; i++) {
          clock.advance(i % 10 === 0 ? 0 : 1700);
          const burst = i % 10 === 0 ? 5 : 1;
          const results = await Promise.all(Array.from({ length: burst }, () => gate.reserve(REQ)));
          for (const r of admitted(results)) {
            times.push(clock.now());
            await r.reservation.settle({ tokens: 10, usd: 0 });
          }
        }
        assert.ok(times.length > 30, `later windows admit again (admitted ${times.length})`);
        for (const start of times) {
          const inSpan = times.filter((x) => x >= start && x < start + 60_000).length;
          assert.ok(inSpan <= 30, `${inSpan} admitted in the 60 s from +${start - t0} ms`);
        }
        // and the limit is reachable: some span holds exactly 30
        assert.ok(times.some((s) => times.filter((x) => x >= s && x < s + 60_000).length === 30));
      });
    });

    it('counts tpm by tokens (a weighted reservoir) and settles to the real tokens', async (t) => {
      await withGate(t, [budget({ name: 'tokens-per-minute', tpm: 1000 })], async (gate, clock) => {
        const rs = await Promise.all(Array.from({ length: 5 }, () => gate.reserve({ ...REQ, tokens: 300 })));
        assert.equal(admitted(rs).length, 3);
        await admitted(rs)[0]!.reservation.settle({ tokens: 100, usd: 0 });
        assert.ok((await gate.reserve({ ...REQ, tokens: 300 })).ok, '100 + 300 + 300 + 300 fits 1000');
        const refused = await gate.reserve({ ...REQ, tokens: 1 });
        assert.equal(refused.ok, false);
        if (!refused.ok) assert.equal(refused.resetsAt, clock.now() + 60_000);
        clock.advance(60_001);
        assert.ok((await gate.reserve({ ...REQ, tokens: 1000 })).ok, 'a minute later the whole reservoir is back');
      });
    });

    it('starts a new calendar window at the UTC boundary and says when it resets', async (t) => {
      await withGate(t, [budget({ name: 'per-minute', usd: 0.1, per: 'minute' })], async (gate, clock) => {
        clock.set(Date.UTC(2030, 0, 15, 12, 0, 59, 500));
        assert.ok((await gate.reserve(REQ)).ok);
        assert.ok((await gate.reserve(REQ)).ok);
        const refused = await gate.reserve(REQ);
        assert.equal(refused.ok, false);
        if (!refused.ok) {
          assert.equal(refused.resetsAt, Date.UTC(2030, 0, 15, 12, 1, 0));
          assert.equal(refused.onExceed, 'reject');
          assert.match(refused.message, /budget "per-minute" \(usd\/minute, global\).*limit \$0\.1.*resets at 2030-01-15T12:01:00\.000Z/);
        }
        clock.advance(500);
        assert.ok((await gate.reserve(REQ)).ok, 'the next minute has its own counter');
      });
    });

    it('releases the holds of a reservation whose lease expired (a process that died)', async (t) => {
      await withGate(t, [budget({ name: 'lease', concurrency: 2, usd: 0.1 })], async (gate, clock) => {
        assert.ok((await gate.reserve({ ...REQ, leaseMs: 1000 })).ok);
        assert.ok((await gate.reserve({ ...REQ, leaseMs: 5000 })).ok);
        assert.equal((await gate.reserve(REQ)).ok, false);
        clock.advance(1000);
        const [conc] = (await gate.status()).filter((r) => r.limit === 'concurrency');
        assert.equal(conc!.reserved, 1, 'the expired hold no longer counts');
        assert.ok((await gate.reserve({ ...REQ, leaseMs: 1000 })).ok);
      });
    });

    it('keeps settled spend even when the lease expired before the slow call returned', async (t) => {
      await withGate(t, [budget({ name: 'slow', usd: 1 })], async (gate, clock) => {
        const r = await gate.reserve({ ...REQ, leaseMs: 100 });
        assert.ok(r.ok);
        clock.advance(10_000);
        await r.reservation.settle({ tokens: 10, usd: 0.4 });
        const [row] = await gate.status();
        assert.ok(Math.abs(row!.used - 0.4) < 1e-9);
      });
    });

    it('keeps one counter per server for a server-scoped budget, and selectors apply by glob', async (t) => {
      const budgets = [budget({ name: 'per-server', usd: 0.1, scope: { kind: 'server' } }), budget({ name: 'claude-only', tokens: 1_000_000, scope: { kind: 'select', model: 'claude-*' } })];
      await withGate(t, budgets, async (gate) => {
        assert.ok((await gate.reserve(REQ)).ok);
        assert.ok((await gate.reserve(REQ)).ok);
        assert.equal((await gate.reserve(REQ)).ok, false);
        assert.ok((await gate.reserve({ ...REQ, server: 'slack', model: 'gpt-5' })).ok, 'another server has its own $0.10');
        const rows = await gate.status();
        const perServer = rows
          .filter((r) => r.name === 'per-server')
          .map((r) => r.scope)
          .sort();
        assert.deepEqual(perServer, ['server=github', 'server=slack']);
        const claude = rows.find((r) => r.name === 'claude-only')!;
        assert.equal(claude.scope, 'model=claude-*');
        assert.equal(claude.reserved, 2000, 'the gpt-5 request did not count against the claude selector');
        const onlySlack = await gate.status({ server: 'slack' });
        assert.deepEqual(
          onlySlack.filter((r) => r.name === 'per-server').map((r) => r.scope),
          ['server=slack'],
        );
      });
    });

    it('onExceed: wait queues until capacity frees, and rejects after maxWait', async (t) => {
      await withGate(
        t,
        [budget({ name: 'queue', concurrency: 1, onExceed: 'wait', maxWait: 500 })],
        async (gate) => {
          const first = await gate.reserve(REQ);
          assert.ok(first.ok);
          const waiting = gate.reserve(REQ);
          let settled = false;
          void waiting.then(() => (settled = true));
          await new Promise((r) => setImmediate(r));
          assert.equal(settled, false, 'the second request waits');
          await first.reservation.settle({ tokens: 1, usd: 0 });
          const second = await waiting;
          assert.ok(second.ok, 'admitted once the first settled');
          const started = Date.now();
          const third = await gate.reserve({ ...REQ });
          assert.equal(third.ok, false);
          assert.ok(Date.now() - started >= 450, 'waited about maxWait before rejecting');
          if (!third.ok) assert.match(third.message, /after waiting \d+ ms/);
          const ac = new AbortController();
          const aborted = gate.reserve({ ...REQ, signal: ac.signal });
          ac.abort();
          await assert.rejects(aborted, (err: Error & { code?: string }) => err.code === 'ABORTED');
          await second.reservation.release();
        },
        false,
      );
    });

    if (harness.reopen) {
      it("keeps the day's spend across a restart", async (t) => {
        const why = await harness.unavailable?.();
        if (why) return void t.skip(why);
        const policy = policyWith([budget({ name: 'daily', usd: 1, per: 'day' })]);
        const clock = fakeClock();
        const s1 = await harness.open();
        const g1 = createBudgetGate(policy, { store: s1, now: clock.now });
        try {
          const r = await g1.reserve(REQ);
          assert.ok(r.ok);
          await r.reservation.settle({ tokens: 100, usd: 0.7 });
          await g1.close();
          await s1.close();
          const s2 = await harness.reopen!();
          const g2 = createBudgetGate(policy, { store: s2, now: clock.now });
          const [row] = await g2.status();
          assert.ok(Math.abs(row!.used - 0.7) < 1e-9, `used after restart: ${row!.used}`);
          const results = await Promise.all(Array.from({ length: 20 }, () => g2.reserve(REQ)));
          assert.equal(admitted(results).length, 6, '$0.30 left = 6 x $0.05');
          await g2.close();
          await s2.close();
        } finally {
          await harness.cleanup();
        }
      });
    }
  });
}
