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

export interface Reservation {
  /** Replace the reservation with what was really used (after a call that returned). */
  settle(actual: { tokens: number; usd: number }): Promise<void>;
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
  close(): Promise<void>;
}
