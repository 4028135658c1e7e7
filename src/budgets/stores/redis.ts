// BudgetStore shared by routers on any number of machines: counters live in Redis and
// every reserve/settle/release is one Lua script, which Redis runs atomically, so the
// whole multi-counter check-and-take happens with no other client in between.

import type { Redis as RedisClient } from 'ioredis';
import type { BudgetStore, CounterClaim, CounterRef, CounterSettlement, CounterState, StoreReserveResult } from '../store.js';
import { loadOptional, storeError } from './support.js';

export interface RedisStoreOptions {
  /** redis://host:port/db; default redis://127.0.0.1:6379 */
  url?: string;
  /** Every key starts with `<prefix>:b:`. */
  prefix: string;
  /** Longest wait for a connection to become usable (TCP connect and Redis's first answer), ms. */
  connectTimeoutMs?: number;
  /** Longest wait for any one command's answer, ms. */
  commandTimeoutMs?: number;
}

/**
 * A Redis that accepts connections but never answers (or a partition mid-run) must cost a
 * request a bounded wait, never a hang: every command has a timeout, nothing is queued while
 * the connection is down, and a connection that times out is dropped and made afresh on the
 * next command. A script whose answer was lost may still have run: its holds lapse with their lease.
 */
const CONNECT_TIMEOUT_MS = 3_000;
const COMMAND_TIMEOUT_MS = 2_000;
/** How long close() lets QUIT take before dropping the connection. */
const QUIT_TIMEOUT_MS = 500;

// Per counter the scripts get 4 keys: e = zset of entries (score: ts for sliding counters,
// lease end otherwise), r = hash of unsettled amounts, d = hash of settled amounts (sliding),
// u = settled total (window) or the running sums (sliding). And 4 args: kind, limit, amount, param (windowMs | windowEnd).
const COMMON = `
-- Sliding counters keep their sums in u (hash: r = unsettled, d = settled) so a check costs
-- O(entries leaving the window), not O(requests in the last minute).
local function prune(e, r, d, u, kind, param, now)
  local cutoff = now
  if kind == 'sliding' then cutoff = now - param end
  local old = redis.call('ZRANGEBYSCORE', e, '-inf', cutoff)
  for j = 1, #old do
    redis.call('ZREM', e, old[j])
    if kind == 'sliding' then
      local a = redis.call('HGET', r, old[j])
      if a then redis.call('HINCRBYFLOAT', u, 'r', -tonumber(a)) end
      local b = redis.call('HGET', d, old[j])
      if b then redis.call('HINCRBYFLOAT', u, 'd', -tonumber(b)) end
      redis.call('HDEL', d, old[j])
    end
    redis.call('HDEL', r, old[j])
  end
end
local function sum(h)
  local t = 0
  local vals = redis.call('HVALS', h)
  for j = 1, #vals do t = t + tonumber(vals[j]) end
  return t
end
local function measure(e, r, d, u, kind, param, now)
  prune(e, r, d, u, kind, param, now)
  if kind == 'sliding' then
    local v = redis.call('HMGET', u, 'd', 'r')
    return tonumber(v[1] or '0'), tonumber(v[2] or '0')
  end
  local used = 0
  if kind == 'window' then used = tonumber(redis.call('GET', u) or '0') end
  return used, sum(r)
end
`;

const RESERVE = `${COMMON}
local id = ARGV[1]
local now = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local n = #KEYS / 4
for i = 0, n - 1 do
  local e, r, d, u = KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3], KEYS[i*4+4]
  local kind, limit, amount, param = ARGV[4+i*4], tonumber(ARGV[5+i*4]), tonumber(ARGV[6+i*4]), tonumber(ARGV[7+i*4])
  local used, reserved = measure(e, r, d, u, kind, param, now)
  if used + reserved + amount > limit + 1e-9 then
    local resets = -1
    if kind == 'window' then resets = param
    else
      local first = redis.call('ZRANGE', e, 0, 0, 'WITHSCORES')
      if #first == 2 then
        resets = tonumber(first[2])
        if kind == 'sliding' then resets = resets + param end
      end
    end
    return {i, tostring(used), tostring(reserved), tostring(resets)}
  end
end
for i = 0, n - 1 do
  local e, r, d = KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3]
  local kind, amount, param = ARGV[4+i*4], ARGV[6+i*4], tonumber(ARGV[7+i*4])
  local score = lease
  local keep = lease - now
  if kind == 'sliding' then
    score = now
    if param > keep then keep = param end
  end
  keep = keep + 60000
  redis.call('ZADD', e, score, id)
  redis.call('HSET', r, id, amount)
  if kind == 'sliding' then redis.call('HINCRBYFLOAT', KEYS[i*4+4], 'r', amount) end
  for _, k in ipairs(kind == 'sliding' and {e, r, d, KEYS[i*4+4]} or {e, r, d}) do
    if redis.call('PTTL', k) < keep then redis.call('PEXPIRE', k, keep) end
  end
end
return {-1}
`;

const SETTLE = `
local id = ARGV[1]
local now = tonumber(ARGV[2])
local n = #KEYS / 4
for i = 0, n - 1 do
  local e, r, d, u = KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3], KEYS[i*4+4]
  local kind, amount, param = ARGV[3+i*3], ARGV[4+i*3], tonumber(ARGV[5+i*3])
  if kind == 'window' then
    redis.call('ZREM', e, id)
    redis.call('HDEL', r, id)
    redis.call('INCRBYFLOAT', u, amount)
    -- totals outlive their window by a month, for restarts and \`mcp-route budgets\`
    local keep = param - now + 2678400000
    if keep < 60000 then keep = 60000 end
    redis.call('PEXPIRE', u, keep)
  elseif kind == 'sliding' then
    local held = redis.call('HGET', r, id)
    if redis.call('ZSCORE', e, id) and held then
      redis.call('HDEL', r, id)
      redis.call('HINCRBYFLOAT', u, 'r', -tonumber(held))
      redis.call('HSET', d, id, amount)
      redis.call('HINCRBYFLOAT', u, 'd', amount)
      local ttl = redis.call('PTTL', e)
      if ttl > 0 then redis.call('PEXPIRE', d, ttl) end
    end
  else
    redis.call('ZREM', e, id)
    redis.call('HDEL', r, id)
  end
end
return 1
`;

const RELEASE = `
local id = ARGV[1]
for i = 0, #KEYS / 4 - 1 do
  local e, r, d, u = KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3], KEYS[i*4+4]
  if ARGV[2+i] == 'sliding' then
    local a = redis.call('HGET', r, id)
    if a then redis.call('HINCRBYFLOAT', u, 'r', -tonumber(a)) end
    local b = redis.call('HGET', d, id)
    if b then redis.call('HINCRBYFLOAT', u, 'd', -tonumber(b)) end
  end
  redis.call('ZREM', e, id)
  redis.call('HDEL', r, id)
  redis.call('HDEL', d, id)
end
return 1
`;

const READ = `${COMMON}
local now = tonumber(ARGV[1])
local out = {}
for i = 0, #KEYS / 4 - 1 do
  local kind, param = ARGV[2+i*2], tonumber(ARGV[3+i*2])
  local used, reserved = measure(KEYS[i*4+1], KEYS[i*4+2], KEYS[i*4+3], KEYS[i*4+4], kind, param, now)
  out[#out+1] = tostring(used)
  out[#out+1] = tostring(reserved)
end
return out
`;

type ScriptClient = RedisClient & {
  budgetReserve(numKeys: number, ...args: (string | number)[]): Promise<[number, string?, string?, string?]>;
  budgetSettle(numKeys: number, ...args: (string | number)[]): Promise<number>;
  budgetRelease(numKeys: number, ...args: (string | number)[]): Promise<number>;
  budgetRead(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
};

/** The scripts' per-counter parameter: a rolling window's length, a calendar window's end. */
function param(ref: CounterRef): number {
  return ref.kind === 'sliding' ? ref.windowMs : ref.kind === 'window' ? ref.windowEnd : 0;
}

export function createRedisBudgetStore(options: RedisStoreOptions): BudgetStore {
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const base = `${options.prefix}:b:`;
  const connectTimeout = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const client = createClient(url, connectTimeout, options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS);
  const keysOf = (refs: CounterRef[]): string[] => refs.flatMap((r) => ['e', 'r', 'd', 'u'].map((s) => `${base}${r.key}:${s}`));
  const guard = guardedCommands(client, connectTimeout, url.replace(/\/\/[^@/]*@/, '//***@'));
  /** Every counter key under `prefix`, a page of SCAN at a time. */
  async function* scan(prefix: string): AsyncGenerator<string[]> {
    const pattern = `${`${base}${prefix}`.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      yield keys;
    } while (cursor !== '0');
  }

  return {
    kind: 'redis',
    async reserve(id: string, claims: CounterClaim[], now: number, leaseUntil: number): Promise<StoreReserveResult> {
      const args = claims.flatMap((c) => [c.kind, String(c.limit), String(c.amount), String(param(c))]);
      const res = await guard('reserve', () => client.budgetReserve(claims.length * 4, ...keysOf(claims), id, now, leaseUntil, ...args));
      if (res[0] === -1) return { ok: true };
      const resets = Number(res[3]);
      return { ok: false, index: Number(res[0]), used: Number(res[1]), reserved: Number(res[2]), resetsAt: resets >= 0 ? resets : undefined };
    },
    async settle(id: string, settlements: CounterSettlement[], now: number): Promise<void> {
      const args = settlements.flatMap((s) => [s.kind, String(s.amount), String(param(s))]);
      await guard('settle', () => client.budgetSettle(settlements.length * 4, ...keysOf(settlements), id, now, ...args));
    },
    async release(id: string, refs: CounterRef[]): Promise<void> {
      await guard('release', () => client.budgetRelease(refs.length * 4, ...keysOf(refs), id, ...refs.map((r) => r.kind)));
    },
    async list(prefix: string): Promise<string[]> {
      return guard('list', async () => {
        const found = new Set<string>();
        for await (const keys of scan(prefix)) for (const k of keys) found.add(k.slice(base.length, -2));
        return [...found];
      });
    },
    async read(refs: CounterRef[], now: number): Promise<CounterState[]> {
      if (refs.length === 0) return [];
      const args = refs.flatMap((r) => [r.kind, String(param(r))]);
      const res = await guard('read', () => client.budgetRead(refs.length * 4, ...keysOf(refs), now, ...args));
      return refs.map((r, i) => ({ key: r.key, used: Number(res[i * 2]), reserved: Number(res[i * 2 + 1]) }));
    },
    async reset(prefix: string): Promise<number> {
      return guard('reset', async () => {
        const counters = new Set<string>();
        for await (const keys of scan(prefix)) {
          if (keys.length > 0) await client.del(...keys);
          for (const k of keys) counters.add(k.slice(0, -2));
        }
        return counters.size;
      });
    },
    async close(): Promise<void> {
      if (client.status === 'wait' || client.status === 'end') return;
      if (client.status !== 'ready') return void client.disconnect();
      // QUIT waits for Redis's answer, which a hung server never sends.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([client.quit().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)))]);
      clearTimeout(timer);
      client.disconnect();
    },
  };
}

/** A client with the scripts defined, not connected yet (the first command connects). */
function createClient(url: string, connectTimeout: number, commandTimeout: number): ScriptClient {
  const { Redis } = loadOptional<typeof import('ioredis')>('ioredis', 'redis', 'sqlite or memory');
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout,
    commandTimeout,
    // No background reconnection loop (it would keep a finished process alive): the next
    // command reconnects.
    retryStrategy: () => null,
  }) as ScriptClient;
  // Without a listener ioredis prints every connection error; the failing command reports it instead.
  client.on('error', () => {});
  client.defineCommand('budgetReserve', { lua: RESERVE });
  client.defineCommand('budgetSettle', { lua: SETTLE });
  client.defineCommand('budgetRelease', { lua: RELEASE });
  client.defineCommand('budgetRead', { lua: READ });
  return client;
}

/**
 * Runs commands over one connection that is made on demand: one connection attempt is shared by
 * every command that arrives while it is under way, and a connection in doubt (a command timed
 * out: a partition?) is dropped, so the next command connects afresh.
 */
function guardedCommands(client: ScriptClient, connectTimeout: number, safeUrl: string): <T>(what: string, fn: () => Promise<T>) => Promise<T> {
  let dropping: Promise<void> | undefined;
  function drop(): void {
    dropping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
      client.once('end', () => {
        clearTimeout(timer);
        resolve();
      });
      client.disconnect();
    }).finally(() => (dropping = undefined));
  }
  let connecting: Promise<void> | undefined;
  async function usable(): Promise<void> {
    if (dropping) await dropping;
    if (client.status === 'ready') return;
    connecting ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no answer within ${connectTimeout} ms`)), connectTimeout);
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('end', onEnd);
        if (!err) {
          resolve();
          return;
        }
        client.disconnect();
        reject(err);
      };
      const onReady = (): void => finish();
      const onEnd = (): void => finish(new Error('connection closed'));
      client.once('ready', onReady);
      client.once('end', onEnd);
      if (client.status === 'wait' || client.status === 'end' || client.status === 'close') {
        client.connect().catch((err: Error) => finish(err));
      }
    }).finally(() => (connecting = undefined));
    return connecting;
  }
  return async (what, fn) => {
    try {
      await usable();
      return await fn();
    } catch (err) {
      // A command that timed out leaves the connection in doubt (a partition): start afresh next time.
      if (/timed out/i.test((err as Error).message)) drop();
      throw storeError('redis', safeUrl, `${what} failed: ${(err as Error).message}; check state.url and that Redis is running`, err);
    }
  };
}
