// BudgetStore shared by every mcp-route process on one machine: one better-sqlite3 file in
// WAL mode. Each reserve/settle/release is a BEGIN IMMEDIATE transaction, which takes the
// write lock before reading, so two processes can never both see the same free capacity.
// better-sqlite3 is synchronous, so a lock held by another process is never waited for on the
// main thread (that would freeze every message the proxy carries): SQLite is told not to wait
// at all, and a busy transaction is retried after short asynchronous pauses.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { McpRouteError } from '../../errors.js';
import { EPSILON, type BudgetStore, type CounterClaim, type CounterRef, type CounterSettlement, type CounterState, type StoreReserveResult } from '../store.js';
import { loadOptional, storeError } from './support.js';

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
/** Totals outlive their window by a month so `mcp-route budgets` and restarts see them. */
const TOTALS_KEPT_MS = 31 * 86_400_000;

/**
 * Another process holds the lock: worth another try. SQLITE_PROTOCOL too: in WAL mode it is the
 * loser of a race between connections starting transactions at once, which SQLite's documentation
 * calls transient and seen only when many processes compete to write one file.
 */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|PROTOCOL)/.test(code);
}

export function createSqliteBudgetStore(options: SqliteStoreOptions): BudgetStore {
  const db = openDatabase(options.path);
  const tx = transactions(db);
  const lockWaitMs = options.busyTimeout ?? LOCK_WAIT_MS;

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
        throw storeError('sqlite', options.path, `${what} failed: ${why}`, err);
      }
    }
  }

  return {
    kind: 'sqlite',
    reserve: (id, claims, now, leaseUntil) => guard('reserve', () => tx.reserve.immediate(id, claims, now, leaseUntil)),
    settle: (id, settlements) => guard('settle', () => tx.settle.immediate(id, settlements)),
    release: (id, refs) => guard('release', () => tx.release.immediate(id, refs)),
    reset: (prefix) => guard('reset', () => tx.reset.immediate(prefix)),
    list: (prefix, now) => guard('list', () => tx.list(prefix, now)),
    read: (refs, now) => guard('read', () => tx.read(refs, now)),
    async close() {
      if (db.open) db.close();
    },
  };
}

/**
 * Opens (creating it when needed) the file and its tables. Fail closed: a store that cannot be
 * opened refuses every budgeted request (STORE_ERROR) instead of letting it through uncounted;
 * the message names the store and the fix.
 */
function openDatabase(path: string): BetterSqlite3.Database {
  const Database = loadOptional<typeof BetterSqlite3>('better-sqlite3', 'sqlite', 'memory or redis');
  const unusable = (what: string, err: unknown) => storeError('sqlite', path, `${what}: ${(err as Error).message}; set state.path to a writable location, or state.store to redis or memory`, err);
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw unusable('cannot create its directory', err);
    }
  }
  let opened: BetterSqlite3.Database | undefined;
  try {
    const db = (opened = new Database(path, { timeout: OPEN_BUSY_MS }));
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
    return db;
  } catch (err) {
    opened?.close();
    throw unusable('cannot open it', err);
  }
}

type Sums = { used: number; reserved: number; oldest: number | null; lease: number | null };

/** The store's statements, prepared once per connection. */
function statements(db: BetterSqlite3.Database) {
  const prefixed = 'counter >= @p AND counter < @p || char(1114111)';
  return {
    pruneSliding: db.prepare('DELETE FROM budget_entries WHERE counter = ? AND ts <= ?'),
    pruneLeases: db.prepare('DELETE FROM budget_entries WHERE counter = ? AND settled = 0 AND lease_until <= ?'),
    sums: db.prepare(
      `SELECT COALESCE(SUM(CASE WHEN settled = 1 THEN amount END), 0) AS used,
              COALESCE(SUM(CASE WHEN settled = 0 THEN amount END), 0) AS reserved,
              MIN(ts) AS oldest, MIN(lease_until) AS lease
         FROM budget_entries WHERE counter = ?`,
    ),
    // The read-only path applies the same filters as pruning, without writing.
    liveSliding: db.prepare(
      'SELECT COALESCE(SUM(CASE WHEN settled=1 THEN amount END),0) AS used, COALESCE(SUM(CASE WHEN settled=0 THEN amount END),0) AS reserved FROM budget_entries WHERE counter = ? AND ts > ?',
    ),
    liveHolds: db.prepare('SELECT 0 AS used, COALESCE(SUM(amount),0) AS reserved FROM budget_entries WHERE counter = ? AND settled = 0 AND lease_until > ?'),
    total: db.prepare('SELECT used FROM budget_totals WHERE counter = ?').pluck(),
    insert: db.prepare('INSERT OR REPLACE INTO budget_entries (counter, res_id, amount, ts, lease_until, settled) VALUES (?, ?, ?, ?, ?, 0)'),
    addTotal: db.prepare('INSERT INTO budget_totals (counter, used, expires_at) VALUES (?, ?, ?) ON CONFLICT(counter) DO UPDATE SET used = used + excluded.used'),
    remove: db.prepare('DELETE FROM budget_entries WHERE counter = ? AND res_id = ?'),
    settleSliding: db.prepare('UPDATE budget_entries SET amount = ?, settled = 1 WHERE counter = ? AND res_id = ?'),
    listEntries: db.prepare('SELECT DISTINCT counter FROM budget_entries WHERE counter >= ? AND counter < ? || char(1114111)').pluck(),
    listTotals: db.prepare('SELECT counter FROM budget_totals WHERE counter >= ? AND counter < ? || char(1114111) AND expires_at > ?').pluck(),
    dropOldTotals: db.prepare('DELETE FROM budget_totals WHERE expires_at <= ?'),
    countPrefix: db.prepare(`SELECT COUNT(*) FROM (SELECT counter FROM budget_entries WHERE ${prefixed} UNION SELECT counter FROM budget_totals WHERE ${prefixed})`).pluck(),
    deleteEntries: db.prepare(`DELETE FROM budget_entries WHERE ${prefixed}`),
    deleteTotals: db.prepare(`DELETE FROM budget_totals WHERE ${prefixed}`),
  };
}

/** What a counter holds now; `prune` also deletes what no longer counts (inside a write transaction). */
function measurer(st: ReturnType<typeof statements>) {
  return (ref: CounterRef, now: number, prune: boolean): Sums => {
    const cutoff = ref.kind === 'sliding' ? now - ref.windowMs : now;
    if (prune) (ref.kind === 'sliding' ? st.pruneSliding : st.pruneLeases).run(ref.key, cutoff);
    const s = st.sums.get(ref.key) as Sums;
    if (!prune) {
      const live = (ref.kind === 'sliding' ? st.liveSliding : st.liveHolds).get(ref.key, cutoff) as Sums;
      s.used = live.used;
      s.reserved = live.reserved;
    }
    if (ref.kind === 'window') s.used += (st.total.get(ref.key) as number | undefined) ?? 0;
    return s;
  };
}

/** The store's operations, each one transaction (run with .immediate() to take the write lock first). */
function transactions(db: BetterSqlite3.Database) {
  const st = statements(db);
  const measure = measurer(st);
  let reservesSinceSweep = 0;
  const reserve = db.transaction((id: string, claims: CounterClaim[], now: number, leaseUntil: number): StoreReserveResult => {
    if (++reservesSinceSweep >= 1000) {
      reservesSinceSweep = 0;
      st.dropOldTotals.run(now);
    }
    for (let i = 0; i < claims.length; i++) {
      const claim = claims[i]!;
      const m = measure(claim, now, true);
      if (m.used + m.reserved + claim.amount > claim.limit + EPSILON) {
        const resetsAt = claim.kind === 'window' ? claim.windowEnd : claim.kind === 'sliding' ? (m.oldest ?? now) + claim.windowMs : (m.lease ?? undefined);
        return { ok: false, index: i, used: m.used, reserved: m.reserved, resetsAt };
      }
    }
    for (const claim of claims) st.insert.run(claim.key, id, claim.amount, now, leaseUntil);
    return { ok: true };
  });
  const settle = db.transaction((id: string, settlements: CounterSettlement[]) => {
    for (const s of settlements) {
      if (s.kind === 'window') {
        st.remove.run(s.key, id);
        st.addTotal.run(s.key, s.amount, s.windowEnd + TOTALS_KEPT_MS);
      } else if (s.kind === 'sliding') st.settleSliding.run(s.amount, s.key, id);
      else st.remove.run(s.key, id);
    }
  });
  const release = db.transaction((id: string, refs: CounterRef[]) => {
    for (const r of refs) st.remove.run(r.key, id);
  });
  const reset = db.transaction((prefix: string): number => {
    const n = st.countPrefix.get({ p: prefix }) as number;
    st.deleteEntries.run({ p: prefix });
    st.deleteTotals.run({ p: prefix });
    return n;
  });
  const list = (prefix: string, now: number): string[] => [...new Set<string>([...(st.listEntries.all(prefix, prefix) as string[]), ...(st.listTotals.all(prefix, prefix, now) as string[])])];
  const read = (refs: CounterRef[], now: number): CounterState[] =>
    refs.map((r) => {
      const m = measure(r, now, false);
      return { key: r.key, used: m.used, reserved: m.reserved };
    });
  return { reserve, settle, release, reset, list, read };
}
