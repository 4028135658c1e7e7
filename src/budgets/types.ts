// The seam between the router and budget enforcement. The router asks the gate to
// reserve the worst case for one candidate before the first attempt, and settles the
// reservation to real usage afterwards. Implementations (src/budgets/) make reserve
// atomic across every budget that applies, in one process or across many.

import type { OnExceed } from '../policy/types.js';

export interface ReserveRequest {
  server?: string;
  provider: string;
  /** Catalogue model id. */
  model: string;
  /** Worst case: estimated prompt tokens + effective maxTokens. */
  tokens: number;
  /** Worst case priced at the model's rates (0 when the model has no price). */
  usd: number;
  /**
   * The model has no `cost`: a `usd` budget cannot count it, so any usd budget that applies
   * refuses it (fail closed) instead of letting it through as free.
   */
  unpriced?: boolean;
  /**
   * Count one more HTTP call (a retry) against the rate limits only (rpm, tpm): the candidate's
   * spend and concurrency were reserved with its first call.
   */
  rateOnly?: boolean;
  /** Aborts an onExceed: wait queue. */
  signal?: AbortSignal;
  /**
   * How long the holds may outlive this process, ms (e.g. the request's deadline plus a margin).
   * After it they stop counting, so a killed router frees its reservations. Default: the gate's.
   */
  leaseMs?: number;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      /** Name of the budget that refused. */
      budget: string;
      onExceed: OnExceed;
      /** ms epoch when the window resets, when known. */
      resetsAt?: number;
      /** Human message naming the budget, the limit and when it resets. */
      message: string;
    };

/** A reserve() that holds nothing: what it would answer now. */
export type PeekRequest = Omit<ReserveRequest, 'signal' | 'leaseMs'>;
export type PeekResult = { ok: true } | Extract<ReserveResult, { ok: false }>;

export interface Settlement {
  /** Tokens to count against `tokens` budgets (what may be billed). */
  tokens: number;
  /** USD to count against `usd` budgets. */
  usd: number;
  /** Tokens to count against `tpm` (the HTTP call's size); default `tokens`. */
  rateTokens?: number;
}

export interface Reservation {
  /**
   * Replace the reservation with what was really used (after a call that returned). Amounts
   * that are not non-negative finite numbers are not trusted: the reserved worst case stays.
   */
  settle(actual: Settlement): Promise<void>;
  /** Give the reservation back (the call never reached the provider). */
  release(): Promise<void>;
}

export interface BudgetStatus {
  name: string;
  scope: string;
  /** e.g. "usd/day", "rpm", "concurrency". */
  limit: string;
  max: number;
  used: number;
  reserved: number;
  remaining: number;
  /** ms epoch */
  resetsAt?: number;
}

export interface BudgetGate {
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /** Optional for custom gates: `explain` reads budget state through it when present. */
  peek?(request: PeekRequest): Promise<PeekResult>;
  status(options?: { server?: string }): Promise<BudgetStatus[]>;
  /** Forget every counter of the budget `name` (all scopes and windows); resolves with how many were cleared. */
  reset?(name: string): Promise<number>;
  close(): Promise<void>;
}
