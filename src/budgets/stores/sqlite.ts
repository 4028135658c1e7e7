// BudgetStore shared by every mcp-route process on one machine: one better-sqlite3 file in
// WAL mode. Each reserve/settle/release is a BEGIN IMMEDIATE transaction, which takes the
// write lock before reading, so two processes can never both see the same free capacity.
// better-sqlite3 is synchronous, so a lock held by another process is never waited for on the
// main thread (that would freeze every message the proxy carries): SQLite is told not to wait
// at all, and a busy transaction is retried after short asynchronous pauses.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { McpRouteError } from '../../errors.js';
import { EPSILON, type BudgetStore, type CounterClaim, type CounterRef, type CounterSettlement, type CounterState, type StoreReserveResult } from '../store.js';

export interface SqliteStoreOptions {
  path: string;
  /** How long one operation keeps retrying while another process holds the lock, in total, ms. */
  busyTimeout?: number;
}

/** Default for SqliteStoreOptions.busyTimeout. */
const LOCK_WAIT_MS = 15_000;
/** Pauses between two tries of a locked transaction grow from the first to the last, ms. */
const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 50;
/**
 * Opening waits synchronously, briefly: only a process creating the tables at that very moment
 * holds a lock an opener needs (an existing file is read without one, thanks to WAL).
 */
const OPEN_BUSY_MS = 250;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

const require = createRequire(import.meta.url);

function loadDriver(): typeof BetterSqlite3 {
  try {
    return require('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    throw new McpRouteError('STORE_ERROR', 'state.store is sqlite but better-sqlite3 could not be loaded: run `npm install better-sqlite3`, or set state.store to memory or redis', {}, { cause: err });
  }
}

export function createSqliteBudgetStore(options: SqliteStoreOptions): BudgetStore {
  const Database = loadDriver();
  // Fail closed: a store that cannot be opened refuses every budgeted request (STORE_ERROR)
  // instead of letting it through uncounted. The message names the store and the fix.
  const unusable = (what: string, err: unknown): McpRouteError =>
    new McpRouteError(
      'STORE_ERROR',
      `budget store sqlite at ${options.path}: ${what}: ${(err as Error).message}; set state.path to a writable location, or state.store to redis or memory`,
      {},
      { cause: err },
    );
  if (options.path !== ':memory:') {
    try {
      mkdirSync(dirname(options.path), { recursive: true });
    } catch (err) {
      throw unusable('cannot create its directory', err);
    }
  }
  let opened: BetterSqlite3.Database | undefined;
  try {
    const db = (opened = new Database(options.path, { timeout: OPEN_BUSY_MS }));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS budget_entries (
        counter TEXT NOT NULL, res_id TEXT NOT NULL, amount REAL NOT NULL, ts INTEGER NOT NULL,
        lease_until INTEGER NOT NULL, settled INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (counter, res_id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS budget_totals (
        counter TEXT PRIMARY KEY, used REAL NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
    `);
    db.pragma('busy_timeout = 0');
  } catch (err) {
    opened?.close();
    throw unusable('cannot open it', err);
  }
  const db = opened;
  const lockWaitMs = options.busyTimeout ?? LOCK_WAIT_MS;

  const pruneSliding = db.prepare('DELETE FROM budget_entries WHERE counter = ? AND ts <= ?');
  const pruneLeases = db.prepare('DELETE FROM budget_entries WHERE counter = ? AND settled = 0 AND lease_until <= ?');
  const sums = db.prepare(
    `SELECT COALESCE(SUM(CASE WHEN settled = 1 THEN amount END), 0) AS used,
            COALESCE(SUM(CASE WHEN settled = 0 THEN amount END), 0) AS reserved,
            MIN(ts) AS oldest, MIN(lease_until) AS lease
       FROM budget_entries WHERE counter = ?`,
  );
  const total = db.prepare('SELECT used FROM budget_totals WHERE counter = ?').pluck();
  const insert = db.prepare('INSERT OR REPLACE INTO budget_entries (counter, res_id, amount, ts, lease_until, settled) VALUES (?, ?, ?, ?, ?, 0)');
  const addTotal = db.prepare(
    'INSERT INTO budget_totals (counter, used, expires_at) VALUES (?, ?, ?) ON CONFLICT(counter) DO UPDATE SET used = used + excluded.used',
  );
  const remove = db.prepare('DELETE FROM budget_entries WHERE counter = ? AND res_id = ?');
  const settleSliding = db.prepare('UPDATE budget_entries SET amount = ?, settled = 1 WHERE counter = ? AND res_id = ?');
  const listEntries = db.prepare("SELECT DISTINCT counter FROM budget_entries WHERE counter >= ? AND counter < ? || char(1114111)").pluck();
  const listTotals = db.prepare("SELECT counter FROM budget_totals WHERE counter >= ? AND counter < ? || char(1114111) AND expires_at > ?").pluck();
  const dropOldTotals = db.prepare('DELETE FROM budget_totals WHERE expires_at <= ?');

  type Sums = { used: number; reserved: number; oldest: number | null; lease: number | null };

  function measure(ref: CounterRef, now: number, prune: boolean): Sums {
    if (prune) {
      if (ref.kind === 'sliding') pruneSliding.run(ref.key, now - (ref.windowMs ?? 60_000));
      else pruneLeases.run(ref.key, now);
    }
    const s = sums.get(ref.key) as Sums;
    if (!prune) {
      // read-only path: apply the same filters without writing
      const live = db
        .prepare(
          ref.kind === 'sliding'
            ? 'SELECT COALESCE(SUM(CASE WHEN settled=1 THEN amount END),0) AS used, COALESCE(SUM(CASE WHEN settled=0 THEN amount END),0) AS reserved FROM budget_entries WHERE counter = ? AND ts > ?'
            : 'SELECT 0 AS used, COALESCE(SUM(amount),0) AS reserved FROM budget_entries WHERE counter = ? AND settled = 0 AND lease_until > ?',
        )
        .get(ref.key, ref.kind === 'sliding' ? now - (ref.windowMs ?? 60_000) : now) as Sums;
      s.used = live.used;
      s.reserved = live.reserved;
    }
    if (ref.kind === 'window') s.used += (total.get(ref.key) as number | undefined) ?? 0;
    return s;
  }

  let reservesSinceSweep = 0;
  const reserveTx = db.transaction((id: string, claims: CounterClaim[], now: number, leaseUntil: number): StoreReserveResult => {
    if (++reservesSinceSweep >= 1000) {
      reservesSinceSweep = 0;
      dropOldTotals.run(now);
    }
    for (let i = 0; i < claims.length; i++) {
      const claim = claims[i]!;
      const m = measure(claim, now, true);
      if (m.used + m.reserved + claim.amount > claim.limit + EPSILON) {
        const resetsAt =
          claim.kind === 'window' ? claim.windowEnd : claim.kind === 'sliding' ? (m.oldest ?? now) + (claim.windowMs ?? 60_000) : (m.lease ?? undefined);
        return { ok: false, index: i, used: m.used, reserved: m.reserved, resetsAt };
      }
    }
    for (const claim of claims) insert.run(claim.key, id, claim.amount, now, leaseUntil);
    return { ok: true };
  });

  const settleTx = db.transaction((id: string, settlements: CounterSettlement[]) => {
    for (const s of settlements) {
      if (s.kind === 'window') {
        remove.run(s.key, id);
        // Totals outlive their window by a month so `mcp-route budgets` and restarts see them.
        addTotal.run(s.key, s.amount, (s.windowEnd ?? 0) + 31 * 86_400_000);
      } else if (s.kind === 'sliding') settleSliding.run(s.amount, s.key, id);
      else remove.run(s.key, id);
    }
  });

  const releaseTx = db.transaction((id: string, refs: CounterRef[]) => {
    for (const r of refs) remove.run(r.key, id);
  });

  const countPrefix = db.prepare(
    `SELECT COUNT(*) FROM (SELECT counter FROM budget_entries WHERE counter >= @p AND counter < @p || char(1114111)
                           UNION SELECT counter FROM budget_totals WHERE counter >= @p AND counter < @p || char(1114111))`,
  ).pluck();
  const deleteEntries = db.prepare('DELETE FROM budget_entries WHERE counter >= @p AND counter < @p || char(1114111)');
  const deleteTotals = db.prepare('DELETE FROM budget_totals WHERE counter >= @p AND counter < @p || char(1114111)');
  const resetTx = db.transaction((prefix: string): number => {
    const n = countPrefix.get({ p: prefix }) as number;
    deleteEntries.run({ p: prefix });
    deleteTotals.run({ p: prefix });
    return n;
  });

  /** Runs `fn` (one transaction), retrying after short pauses while another process holds the lock. */
  async function guard<T>(what: string, fn: () => T): Promise<T> {
    const started = Date.now();
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      try {
        return fn();
      } catch (err) {
        if (err instanceof McpRouteError) throw err;
        const waited = Date.now() - started;
        if (isBusy(err) && db.open && waited < lockWaitMs) {
          await new Promise((resolve) => setTimeout(resolve, pause));
          continue;
        }
        const why = isBusy(err) ? `another process held its lock for ${waited} ms (${(err as Error).message})` : (err as Error).message;
        throw new McpRouteError('STORE_ERROR', `budget store sqlite at ${options.path}: ${what} failed: ${why}`, {}, { cause: err });
      }
    }
  }

  return {
    kind: 'sqlite',
    async reserve(id, claims, now, leaseUntil) {
      return guard('reserve', () => reserveTx.immediate(id, claims, now, leaseUntil));
    },
    async settle(id, settlements) {
      await guard('settle', () => settleTx.immediate(id, settlements));
    },
    async release(id, refs) {
      await guard('release', () => releaseTx.immediate(id, refs));
    },
    async reset(prefix) {
      return guard('reset', () => resetTx.immediate(prefix));
    },
    async list(prefix, now) {
      return guard('list', () => {
        const keys = new Set<string>([...(listEntries.all(prefix, prefix) as string[]), ...(listTotals.all(prefix, prefix, now) as string[])]);
        return [...keys];
      });
    },
    async read(refs, now): Promise<CounterState[]> {
      return guard('read', () =>
        refs.map((r) => {
          const m = measure(r, now, false);
          return { key: r.key, used: m.used, reserved: m.reserved };
        }),
      );
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
