// The one interface every budget store implements (memory, sqlite, redis). The gate turns
// budgets into counter claims; a store applies a whole set of claims in one atomic step
// (a JS turn, a BEGIN IMMEDIATE transaction, one Lua script), so nothing is check-then-act.

/**
 * How a counter counts:
 * - `window`: calendar window (usd/tokens per minute/hour/day/month); settled spend is a running
 *   total, live holds add to it until settled, released or their lease expires.
 * - `sliding`: rolling window of `windowMs` (rpm, tpm); every admitted request counts from the
 *   moment it was admitted until it is `windowMs` old, settled or not (release removes it).
 * - `inflight`: requests in flight (concurrency); a hold counts until settle, release or lease expiry.
 */
export type CounterKind = 'window' | 'sliding' | 'inflight';

/** A counter, told apart by its kind: only a window has an end, only a rolling window a length. */
export type CounterRef =
  | {
      /** Unique counter id; for `window` counters it names the window, so a new window is a new counter. */
      key: string;
      kind: 'window';
      /** ms epoch when the calendar window ends (TTL and resetsAt). */
      windowEnd: number;
    }
  | {
      key: string;
      kind: 'sliding';
      /** Length of the rolling window in ms. */
      windowMs: number;
    }
  | { key: string; kind: 'inflight' };

export type CounterClaim = CounterRef & {
  limit: number;
  /** What this reservation takes from the counter (worst case). */
  amount: number;
};

export type CounterSettlement = CounterRef & {
  /** What was really used; for `inflight` ignored (the hold just ends). */
  amount: number;
};

export type StoreReserveResult =
  | { ok: true }
  | {
      ok: false;
      /** Index into the claims of the first counter that could not take the reservation. */
      index: number;
      used: number;
      reserved: number;
      /** When capacity is known to come back (window end, oldest entry ageing out, earliest lease). */
      resetsAt?: number;
    };

export interface CounterState {
  key: string;
  /** Settled amount in the window (0 for inflight). */
  used: number;
  /** Live holds (in flight for inflight). */
  reserved: number;
}

export interface BudgetStore {
  readonly kind: string;
  /**
   * Either every claim takes `amount` under its limit, or none does. Holds carry `leaseUntil`:
   * after it, a hold that was never settled or released stops counting (a killed process).
   */
  reserve(id: string, claims: CounterClaim[], now: number, leaseUntil: number): Promise<StoreReserveResult>;
  /** Turn holds into real usage. Spend is recorded even when the hold's lease already expired. */
  settle(id: string, settlements: CounterSettlement[], now: number): Promise<void>;
  /** Drop the holds: the call never reached a provider. */
  release(id: string, refs: CounterRef[], now: number): Promise<void>;
  /** Counter keys that start with `prefix` and may hold state. */
  list(prefix: string, now: number): Promise<string[]>;
  read(refs: CounterRef[], now: number): Promise<CounterState[]>;
  /** Forget every counter whose key starts with `prefix` (spend, holds, rate entries); resolves with how many. */
  reset(prefix: string): Promise<number>;
  close(): Promise<void>;
}

/** Floating-point slack so that 20 x $0.05 fits a $1 budget exactly. */
export const EPSILON = 1e-9;
