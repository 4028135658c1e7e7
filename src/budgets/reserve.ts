// Taking a reservation: the worst case against every budget that applies, in one atomic store
// operation; `onExceed: wait` queues here, bounded by the budget's maxWait. A reservation is
// later settled to real usage or released (src/budgets/gate.ts puts the pieces together).

import { randomUUID } from 'node:crypto';
import type Bottleneck from 'bottleneck';
import { McpRouteError } from '../errors.js';
import type { Policy } from '../policy/types.js';
import { countersFor, type BudgetCounter, type Subject } from './counters.js';
import { refusal, uncountable, unpricedRefusal } from './refusal.js';
import type { BudgetStore } from './store.js';
import type { Reservation, ReserveRequest, ReserveResult, Settlement } from './types.js';

/** What reserving shares with the rest of the gate. */
export interface ReserveContext {
  policy: Policy;
  store(): BudgetStore;
  clock(): number;
  /** Default lease on every hold, ms. */
  leaseMs: number;
  /** Longest pause between two tries of a waiting reservation, ms. */
  pollMs: number;
  /** Waiters retry one at a time in arrival order instead of stampeding the store. */
  waitQueue: Bottleneck;
  wakeups: Wakeups;
}

/** Waiting reservations sleep here; anything that frees capacity in this process wakes them early. */
export interface Wakeups {
  wakeAll(): void;
  /** Resolves after `ms`, on wakeAll(), or when `signal` aborts, whichever is first. */
  pause(ms: number, signal: AbortSignal | undefined): Promise<void>;
}

export function createWakeups(): Wakeups {
  const wakers = new Set<() => void>();
  return {
    wakeAll() {
      for (const w of [...wakers]) w();
    },
    pause(ms, signal) {
      return new Promise((resolve) => {
        const finish = (): void => {
          clearTimeout(timer);
          wakers.delete(finish);
          signal?.removeEventListener('abort', finish);
          resolve();
        };
        const timer = setTimeout(finish, Math.max(1, ms));
        wakers.add(finish);
        signal?.addEventListener('abort', finish, { once: true });
      });
    },
  };
}

const NOOP_RESERVATION: Reservation = { settle: async () => {}, release: async () => {} };

function aborted(): McpRouteError {
  return new McpRouteError('ABORTED', 'the sampling request was cancelled or reached its deadline while waiting for a budget', { reason: 'aborted' });
}

export async function reserve(cx: ReserveContext, request: ReserveRequest): Promise<ReserveResult> {
  const amount = { tokens: checkedAmount('tokens', request.tokens), usd: checkedAmount('usd', request.usd) };
  const subject = { server: request.server, provider: request.provider, model: request.model };
  const first = claimsOf(cx, request, subject, cx.clock(), amount);
  if (first.length === 0) return { ok: true, reservation: NOOP_RESERVATION };
  const unpriced = uncountable(first, request.unpriced);
  if (unpriced) return unpricedRefusal(unpriced, request.model);
  const id = randomUUID();
  const lease = request.leaseMs ?? cx.leaseMs;
  const started = cx.clock();
  let waitUntil: number | undefined;
  for (let attempt = 0; ; attempt++) {
    // Checked before every try: a request whose deadline passed (or that was cancelled)
    // while it waited must never take a slot.
    if (request.signal?.aborted) throw aborted();
    const tryOnce = async () => {
      const now = cx.clock();
      // Rebuilt every try: a wait may cross into a new calendar window.
      const counters = claimsOf(cx, request, subject, now, amount);
      return { now, counters, result: await cx.store().reserve(id, counters, now, now + lease) };
    };
    const { now, counters, result } = attempt === 0 ? await tryOnce() : await cx.waitQueue.schedule(tryOnce);
    if (result.ok) {
      if (request.signal?.aborted) {
        // The deadline passed while the store answered: hand the slot straight back.
        await cx.store().release(id, counters, cx.clock());
        cx.wakeups.wakeAll();
        throw aborted();
      }
      return { ok: true, reservation: reservation(cx, id, counters) };
    }
    const c = counters[result.index]!;
    if (c.budget.onExceed !== 'wait') return refusal(c, result.used, result.reserved, result.resetsAt);
    waitUntil ??= started + c.budget.maxWait;
    const hopeless = c.kind === 'window' && result.reserved === 0 && result.resetsAt !== undefined && result.resetsAt > waitUntil;
    if (now >= waitUntil || hopeless) return refusal(c, result.used, result.reserved, result.resetsAt, now - started);
    const untilReset = result.resetsAt !== undefined ? result.resetsAt - now : cx.pollMs;
    await cx.wakeups.pause(Math.min(cx.pollMs, Math.max(untilReset, 1), waitUntil - now), request.signal);
  }
}

/** The counters a request takes: rate limits only for a retry's extra HTTP call. */
function claimsOf(cx: ReserveContext, request: ReserveRequest, subject: Subject, now: number, amount: { tokens: number; usd: number }): BudgetCounter[] {
  const all = countersFor(cx.policy.budgets, subject, now, amount);
  return request.rateOnly ? all.filter((c) => c.metric === 'rpm' || c.metric === 'tpm') : all;
}

function reservation(cx: ReserveContext, id: string, counters: BudgetCounter[]): Reservation {
  let done = false;
  return {
    async settle(actual) {
      if (done) return;
      done = true;
      await cx.store().settle(
        id,
        counters.map((c) => ({ ...c, amount: settledAmount(c, actual) })),
        cx.clock(),
      );
      cx.wakeups.wakeAll();
    },
    async release() {
      if (done) return;
      done = true;
      await cx.store().release(id, counters, cx.clock());
      cx.wakeups.wakeAll();
    },
  };
}

/** Reservations are the worst case the router computed; anything else is a bug upstream, not a budget to take. */
function checkedAmount(what: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new McpRouteError('INVALID_PARAMS', `mcp-route: a budget reservation needs a non-negative finite ${what} amount, got ${String(value)}`, { reason: 'INVALID_PARAMS' });
  }
  return value;
}

/**
 * What a settle records on one counter: the amount reported for its metric (tokens for tpm
 * are the HTTP call's, `rateTokens`) when it is a non-negative finite number, else the amount
 * reserved. So a bad report (NaN, negative, a string from a provider's body) can neither credit
 * a budget nor corrupt a store's running sum, and rpm and concurrency always count their 1.
 */
function settledAmount(c: BudgetCounter, actual: Settlement): number {
  const reported = c.metric === 'usd' ? actual.usd : c.metric === 'tokens' ? actual.tokens : c.metric === 'tpm' ? (actual.rateTokens ?? actual.tokens) : c.amount;
  return typeof reported === 'number' && Number.isFinite(reported) && reported >= 0 ? reported : c.amount;
}
