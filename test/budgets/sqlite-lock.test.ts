// A second process holds the sqlite budget file's write lock. Nothing in mcp-route may wait
// for it on the main thread: timers keep firing and a ping through the proxy is answered at
// once, while the budgeted sampling request waits (asynchronously) and goes through as soon as
// the lock is released.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteBudgetStore } from '../../src/budgets/stores/sqlite.js';
import { e2e, spawnRun, sample } from '../e2e/harness.js';
import { startLineProcess } from './helpers.js';

const HOLDER = fileURLToPath(new URL('./fixtures/hold-sqlite-lock.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-sqlite-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CLAIM = { key: 'b|global|usd|2030-01-15', kind: 'window' as const, windowEnd: Date.now() + 86_400_000, limit: 10, amount: 1 };

/** A store file with its tables, as any earlier mcp-route run leaves it. */
async function preparedFile(name: string): Promise<string> {
  const path = join(dir, name);
  await createSqliteBudgetStore({ path }).close();
  return path;
}

describe('a sqlite lock held by another process', () => {
  it('does not block the event loop: timers fire while a reservation waits, which succeeds once the lock is released', { timeout: 60_000 }, async () => {
    const path = await preparedFile('unit.db');
    const holder = startLineProcess(HOLDER, { path });
    assert.equal(await holder.next(), 'locked');
    const store = createSqliteBudgetStore({ path });
    try {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      let done = false;
      const pending = store.reserve('r1', [CLAIM], Date.now(), Date.now() + 60_000).finally(() => (done = true));
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const waited = performance.now() - t0;
      clearInterval(ticker);
      assert.equal(done, false, 'the reservation waits for the lock');
      // A synchronous busy wait would have frozen the loop for the whole second (0 ticks).
      assert.ok(ticks >= 20, `${ticks} timer ticks in ${Math.round(waited)} ms`);
      holder.child.stdin!.write('release\n');
      assert.equal(await holder.next(), 'released');
      assert.deepEqual(await pending, { ok: true });
    } finally {
      holder.child.kill('SIGKILL');
      await store.close();
    }
  });

  it('gives up after busyTimeout with a STORE_ERROR that says another process held the lock', { timeout: 60_000 }, async () => {
    const path = await preparedFile('give-up.db');
    const holder = startLineProcess(HOLDER, { path });
    assert.equal(await holder.next(), 'locked');
    const store = createSqliteBudgetStore({ path, busyTimeout: 300 });
    try {
      await assert.rejects(store.reserve('r1', [CLAIM], Date.now(), Date.now() + 60_000), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'STORE_ERROR');
        assert.match(err.message, /^budget store sqlite at .*give-up\.db: reserve failed: another process held its lock for \d+ ms/);
        return true;
      });
    } finally {
      holder.child.kill('SIGKILL');
      await store.close();
    }
  });

  it('`mcp-route run`: a ping is answered promptly while a sampling request waits for the lock', e2e, async () => {
    const path = await preparedFile('run.db');
    const policy = join(dir, 'run.yaml');
    writeFileSync(
      policy,
      `version: 1
providers: { canned: { type: mock, responses: [ { text: hi } ] } }
models: { m: { provider: canned, cost: { input: 1, output: 1 } } }
defaults: { models: [m], deadline: 20s }
budgets:
  - { name: daily, usd: 5, per: day }
state: { store: sqlite, path: ${JSON.stringify(path)} }
`,
    );
    const holder = startLineProcess(HOLDER, { path });
    assert.equal(await holder.next(), 'locked');
    const run = await spawnRun(['--policy', policy, '--grace', '300'], { timeoutMs: 28_000 });
    try {
      let answered = false;
      const sampling = sample(run.client, { prompt: 'hi', maxTokens: 5 }).finally(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(answered, false, 'the sampling request waits for the lock');
      const pings: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await run.client.ping();
        pings.push(performance.now() - t0);
      }
      assert.ok(Math.max(...pings) < 1_000, `pings took ${pings.map(Math.round).join(', ')} ms while the lock was held`);
      assert.equal(answered, false, 'still waiting while the pings went through');
      holder.child.stdin!.write('release\n');
      assert.equal(await holder.next(), 'released');
      const report = await sampling;
      assert.equal(report.ok, true, JSON.stringify(report));
    } finally {
      holder.child.kill('SIGKILL');
      run.child.kill('SIGKILL');
      await run.exited;
    }
  });
});
