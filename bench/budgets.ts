// What the all-or-nothing guarantee costs: reserve+settle pairs per second for each budget
// store, in one process and split over 3 processes sharing the store, against a policy with
// three budgets (usd/day, rpm, concurrency). Ratios are against the memory store, one process.
// Run: node --import tsx bench/budgets.ts [count-per-run]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createBudgetGate } from '../src/budgets/gate.js';
import { createBudgetStore } from '../src/budgets/stores/index.js';
import type { Budget, StateConfig } from '../src/policy/types.js';
import { policyWith } from '../test/helpers/policy.js';
import { cleanRedis, redisReachable } from '../test/budgets/helpers.js';

const BUDGETS: Budget[] = [
  { name: 'daily', scope: { kind: 'global' }, usd: 1e9, per: 'day', onExceed: 'reject', maxWait: 0 },
  { name: 'rate', scope: { kind: 'server' }, rpm: 1e9, per: 'day', onExceed: 'reject', maxWait: 0 },
  { name: 'parallel', scope: { kind: 'provider' }, concurrency: 1e6, per: 'day', onExceed: 'reject', maxWait: 0 },
];
const IN_FLIGHT = 32;

/** `count` reserve+settle pairs, IN_FLIGHT at a time; returns ms. */
async function run(state: StateConfig, count: number, tag: string): Promise<number> {
  const store = createBudgetStore(state);
  const gate = createBudgetGate(policyWith(BUDGETS, state), { store });
  await gate.status();
  const request = { server: `srv-${tag}`, provider: 'anthropic', model: 'claude-sonnet-4-5', tokens: 1200, usd: 0.01 };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < count) {
        const r = await gate.reserve(request);
        if (!r.ok) throw new Error(r.message);
        await r.reservation.settle({ tokens: 900, usd: 0.008 });
      }
    }),
  );
  const ms = performance.now() - started;
  await gate.close();
  await store.close();
  return ms;
}

/** 3 processes, each `count` pairs on the shared store, started together; returns wall ms. */
async function runProcesses(state: StateConfig, count: number): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const kids = [0, 1, 2].map((i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, '--worker', JSON.stringify({ state, count, tag: String(i) })], { stdio: ['pipe', 'pipe', 'inherit'] });
    return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
  });
  for (const k of kids) if ((await k.lines.next()).value !== 'ready') throw new Error('worker failed');
  const started = performance.now();
  for (const k of kids) k.child.stdin!.write('go\n');
  await Promise.all(kids.map((k) => k.lines.next()));
  return performance.now() - started;
}

if (process.argv[2] === '--worker') {
  const { state, count, tag } = JSON.parse(process.argv[3]!) as { state: StateConfig; count: number; tag: string };
  const store = createBudgetStore(state);
  const gate = createBudgetGate(policyWith(BUDGETS, state), { store });
  await gate.status();
  await gate.close();
  await store.close();
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== 'go') continue;
    process.stdout.write(`${await run(state, count, tag)}\n`);
    break;
  }
  process.exit(0);
}

const count = Number(process.argv[2] ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-'));
const rows: Array<{ store: string; mode: string; perSec: number }> = [];
try {
  const memory: StateConfig = { store: 'memory', prefix: 'bench' };
  const sqlite1: StateConfig = { store: 'sqlite', path: join(dir, 'one.sqlite'), prefix: 'bench' };
  const sqlite3: StateConfig = { store: 'sqlite', path: join(dir, 'three.sqlite'), prefix: 'bench' };
  await run(memory, 500, 'warm');
  rows.push({ store: 'memory', mode: '1 process', perSec: count / ((await run(memory, count, 'a')) / 1000) });
  rows.push({ store: 'sqlite', mode: '1 process', perSec: count / ((await run(sqlite1, count, 'a')) / 1000) });
  rows.push({ store: 'sqlite', mode: '3 processes', perSec: (3 * count) / ((await runProcesses(sqlite3, count)) / 1000) });
  if (await redisReachable()) {
    const prefix = `mcp-route-bench:${process.pid}`;
    try {
      rows.push({ store: 'redis', mode: '1 process', perSec: count / ((await run({ store: 'redis', url: 'redis://127.0.0.1:6379', prefix: `${prefix}:1` }, count, 'a')) / 1000) });
      rows.push({ store: 'redis', mode: '3 processes', perSec: (3 * count) / ((await runProcesses({ store: 'redis', url: 'redis://127.0.0.1:6379', prefix: `${prefix}:3` }, count)) / 1000) });
    } finally {
      await cleanRedis(prefix);
    }
  } else {
    console.log('redis not reachable at 127.0.0.1:6379: redis rows skipped');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const base = rows[0]!.perSec;
console.log(`reserve+settle pairs per second (${count} per process, ${IN_FLIGHT} in flight, 3 budgets: usd/day, rpm, concurrency)`);
console.log('store    mode          pairs/s    vs memory');
for (const r of rows) console.log(`${r.store.padEnd(8)} ${r.mode.padEnd(12)} ${r.perSec.toFixed(0).padStart(9)}    ${(r.perSec / base).toFixed(3)}x`);
