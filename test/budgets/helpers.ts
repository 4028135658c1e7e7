// Shared test helpers for budget stores: Redis reachability with per-run key prefixes that are
// cleaned up afterwards, a fresh store of each kind, and line-speaking worker processes.
// Policies with budgets and a controllable clock are in test/helpers/policy.ts.

import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import type { StateConfig } from '../../src/policy/types.js';

/** The Redis the budget tests use; MCP_ROUTE_TEST_REDIS_URL points them elsewhere (or at nothing, to see the skips). */
export const REDIS_URL = process.env.MCP_ROUTE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_SKIP = `redis not reachable at ${REDIS_URL.replace(/^redis:\/\/(?:[^@/]*@)?/, '')}: skipping the tests that need it (start redis-server to run them)`;

let reachable: Promise<boolean> | undefined;
export function redisReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const { Redis } = await import('ioredis');
    const c = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      return (await c.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  })();
  return reachable;
}

export function uniquePrefix(): string {
  return `mcp-route-test:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix`. */
export async function cleanRedis(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const c = new Redis(REDIS_URL);
  c.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await c.del(...keys);
    } while (cursor !== '0');
  } finally {
    c.disconnect();
  }
}

/**
 * A fresh store of `kind`: memory, a fresh sqlite file, or Redis under a fresh prefix
 * (undefined, with a visible skip, when Redis is not reachable), and its cleanup. sqlite and
 * Redis can be shared by several processes.
 */
export async function stateFor(t: TestContext, kind: 'memory' | 'sqlite' | 'redis'): Promise<{ state: StateConfig; cleanup(): Promise<void> } | undefined> {
  if (kind === 'memory') return { state: { store: 'memory', prefix: 'test' }, cleanup: async () => {} };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-route-state-'));
    return { state: { store: 'sqlite', path: join(dir, 'state.db'), prefix: 'test' }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!(await redisReachable())) {
    t.skip(REDIS_SKIP);
    return undefined;
  }
  const prefix = uniquePrefix();
  return { state: { store: 'redis', url: REDIS_URL, prefix }, cleanup: () => cleanRedis(prefix) };
}

/** A child process (`node --import tsx script config`) that talks in lines on stdin/stdout. */
export function startLineProcess(script: string, config: unknown, timeoutMs = 30_000): { child: ChildProcess; next(): Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    async next() {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        const r = await lines.next();
        if (r.done) throw new Error(`${script} ended without a line; stderr: ${stderr}`);
        return r.value;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
