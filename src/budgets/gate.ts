// The BudgetGate the router calls: reserve the worst case against every budget that applies
// in one atomic store operation, settle to real usage afterwards, and follow onExceed
// (fallback/reject are reported back; wait queues here, bounded by the budget's maxWait).
//
// Why rpm/concurrency/tpm are not bottleneck limiters: a bottleneck reservoir is a separate
// counter from the usd/tokens ones, so taking "1 request from rpm, N tokens from tpm, $x
// from the day" would be several steps, and a failure between them either overshoots or
// leaks capacity. They are counters in the same store operation instead (rpm/tpm as a rolling
// minute, concurrency as leased in-flight holds). bottleneck only orders the local `wait`
// queue, where it cannot weaken the all-or-nothing guarantee.

import { randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { McpRouteError } from '../errors.js';
import type { Budget, Policy } from '../policy/types.js';
import { countersFor, kindOf, makeCounter, metricLabel, metricsOf, parseCounterKey, scopeOf, describeSelect, type BudgetCounter, type Subject } from './counters.js';
import { EPSILON, type BudgetStore } from './store.js';
import { createBudgetStore } from './stores/index.js';
import type { BudgetGate, BudgetStatus, PeekRequest, PeekResult, Reservation, ReserveRequest, ReserveResult, Settlement } from './types.js';
import { windowBounds, windowLabel } from './windows.js';

export interface BudgetGateOptions {
  /** Default: the store named by policy.state. The gate closes it on close() only when it created it. */
  store?: BudgetStore;
  /** ms epoch clock, for tests. */
  now?: () => number;
  /** Lease on every hold; default policy.defaults.deadline + 60 s. A killed process's holds end after it. */
  leaseMs?: number;
  /** Longest pause between two tries of a waiting reservation, ms (other processes free capacity without telling us). */
  pollMs?: number;
}

const NOOP_RESERVATION: Reservation = { settle: async () => {}, release: async () => {} };

function fmt(n: number, metric: string): string {
  if (metric === 'usd') return `$${Number(n.toFixed(6))}`;
  return String(Number(n.toFixed(3)));
}

export function createBudgetGate(policy: Policy, options: BudgetGateOptions = {}): BudgetGate & Pick<Required<BudgetGate>, 'peek'> {
  const clock = options.now ?? Date.now;
  const leaseMs = options.leaseMs ?? Math.max(policy.defaults?.deadline ?? 0, 0) + 60_000;
  const pollMs = options.pollMs ?? 100;
  const ownsStore = options.store === undefined;
  let store: BudgetStore | undefined = options.store;
  const getStore = (): BudgetStore => (store ??= createBudgetStore(policy.state));
  // Waiters retry one at a time in arrival order instead of stampeding the store.
  const waitQueue = new Bottleneck({ maxConcurrent: 1 });
  const wakers = new Set<() => void>();
  const wakeAll = (): void => {
    for (const w of [...wakers]) w();
  };

  function refusal(c: BudgetCounter, used: number, reserved: number, resetsAt: number | undefined, waited?: number): Extract<ReserveResult, { ok: false }> {
    const label = metricLabel(c.budget, c.metric);
    // An in-flight hold frees when its request ends; its lease end is only the latest that can be.
    const when =
      c.kind === 'inflight'
        ? `; frees when a request in flight ends${resetsAt !== undefined ? ` (at the latest ${new Date(resetsAt).toISOString()})` : ''}`
        : resetsAt !== undefined
          ? `; resets at ${new Date(resetsAt).toISOString()}`
          : '';
    const waitedText = waited !== undefined ? ` after waiting ${waited} ms` : '';
    const message =
      `budget "${c.budget.name}" (${label}, ${c.scope}) is exhausted${waitedText}: limit ${fmt(c.limit, c.metric)}, used ${fmt(used, c.metric)}, ` +
      `reserved ${fmt(reserved, c.metric)}, this request needs ${fmt(c.amount, c.metric)}${when}`;
    return { ok: false, budget: c.budget.name, onExceed: c.budget.onExceed, resetsAt, message };
  }

  function reservation(id: string, counters: BudgetCounter[]): Reservation {
    let done = false;
    return {
      async settle(actual) {
        if (done) return;
        done = true;
        const s = getStore();
        await s.settle(
          id,
          counters.map((c) => ({ key: c.key, kind: c.kind, windowEnd: c.windowEnd, windowMs: c.windowMs, amount: settledAmount(c, actual) })),
          clock(),
        );
        wakeAll();
      },
      async release() {
        if (done) return;
        done = true;
        await getStore().release(id, counters, clock());
        wakeAll();
      },
    };
  }

  function unpricedRefusal(c: BudgetCounter, model: string): Extract<ReserveResult, { ok: false }> {
    const message =
      `model "${model}" has no price (no \`cost\` in the policy or the catalogue), so budget "${c.budget.name}" ` +
      `(${metricLabel(c.budget, c.metric)}, ${c.scope}) cannot count what it spends and does not admit it; add \`cost: {input, output}\` ` +
      `(USD per million tokens) to the model, or narrow the budget's scope`;
    // Waiting cannot help: only a policy change can.
    return { ok: false, budget: c.budget.name, onExceed: c.budget.onExceed === 'fallback' ? 'fallback' : 'reject', message };
  }

  function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
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
  }

  /** The counters a request takes: rate limits only for a retry's extra HTTP call. */
  function claimsOf(request: ReserveRequest, subject: Subject, now: number, amount: { tokens: number; usd: number }): BudgetCounter[] {
    const all = countersFor(policy.budgets, subject, now, amount);
    return request.rateOnly ? all.filter((c) => c.metric === 'rpm' || c.metric === 'tpm') : all;
  }

  async function reserve(request: ReserveRequest): Promise<ReserveResult> {
    const amount = { tokens: checkedAmount('tokens', request.tokens), usd: checkedAmount('usd', request.usd) };
    const subject = { server: request.server, provider: request.provider, model: request.model };
    const first = claimsOf(request, subject, clock(), amount);
    if (first.length === 0) return { ok: true, reservation: NOOP_RESERVATION };
    const uncountable = request.unpriced ? first.find((c) => c.metric === 'usd') : undefined;
    if (uncountable) return unpricedRefusal(uncountable, request.model);
    const id = randomUUID();
    const lease = request.leaseMs ?? leaseMs;
    const started = clock();
    let waitUntil: number | undefined;
    for (let attempt = 0; ; attempt++) {
      // Checked before every try: a request whose deadline passed (or that was cancelled)
      // while it waited must never take a slot.
      if (request.signal?.aborted) throw new McpRouteError('ABORTED', 'the sampling request was cancelled or reached its deadline while waiting for a budget', { reason: 'aborted' });
      const tryOnce = async () => {
        const now = clock();
        // Rebuilt every try: a wait may cross into a new calendar window.
        const counters = claimsOf(request, subject, now, amount);
        return { now, counters, result: await getStore().reserve(id, counters, now, now + lease) };
      };
      const { now, counters, result } = attempt === 0 ? await tryOnce() : await waitQueue.schedule(tryOnce);
      if (result.ok) {
        if (request.signal?.aborted) {
          // The deadline passed while the store answered: hand the slot straight back.
          await getStore().release(id, counters, clock());
          wakeAll();
          throw new McpRouteError('ABORTED', 'the sampling request was cancelled or reached its deadline while waiting for a budget', { reason: 'aborted' });
        }
        return { ok: true, reservation: reservation(id, counters) };
      }
      const c = counters[result.index]!;
      if (c.budget.onExceed !== 'wait') return refusal(c, result.used, result.reserved, result.resetsAt);
      waitUntil ??= started + c.budget.maxWait;
      const hopeless = c.kind === 'window' && result.reserved === 0 && result.resetsAt !== undefined && result.resetsAt > waitUntil;
      if (now >= waitUntil || hopeless) return refusal(c, result.used, result.reserved, result.resetsAt, now - started);
      const untilReset = result.resetsAt !== undefined ? result.resetsAt - now : pollMs;
      await pause(Math.min(pollMs, Math.max(untilReset, 1), waitUntil - now), request.signal);
    }
  }

  // What reserve would answer right now, holding nothing: `explain` shows budget state as `run` meets it.
  async function peek(request: PeekRequest): Promise<PeekResult> {
    const now = clock();
    const amount = { tokens: Math.max(0, request.tokens), usd: Math.max(0, request.usd) };
    const counters = countersFor(policy.budgets, { server: request.server, provider: request.provider, model: request.model }, now, amount);
    if (counters.length === 0) return { ok: true };
    const uncountable = request.unpriced ? counters.find((c) => c.metric === 'usd') : undefined;
    if (uncountable) return unpricedRefusal(uncountable, request.model);
    const states = await getStore().read(counters, now);
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      const { used, reserved } = states[i]!;
      if (used + reserved + c.amount > c.limit + EPSILON) return refusal(c, used, reserved, c.kind === 'window' ? c.windowEnd : undefined);
    }
    return { ok: true };
  }

  async function status(opts: { server?: string } = {}): Promise<BudgetStatus[]> {
    const now = clock();
    const s = getStore();
    const rows: BudgetStatus[] = [];
    for (const budget of policy.budgets) {
      const scopes = await scopesOf(s, budget, opts.server, now);
      const counters = scopes.flatMap((scope) => metricsOf(budget).map((m) => makeCounter(budget, scope, m, now, { tokens: 0, usd: 0 })));
      const states = await s.read(counters, now);
      counters.forEach((c, i) => {
        const st = states[i]!;
        rows.push({
          name: budget.name,
          scope: c.scope,
          limit: metricLabel(budget, c.metric),
          max: c.limit,
          used: st.used,
          reserved: st.reserved,
          remaining: Math.max(0, c.limit - st.used - st.reserved),
          resetsAt: c.kind === 'window' ? c.windowEnd : undefined,
        });
      });
    }
    return rows;
  }

  async function scopesOf(s: BudgetStore, budget: Budget, server: string | undefined, now: number): Promise<string[]> {
    const kind = budget.scope.kind;
    if (kind === 'global') return ['global'];
    if (kind === 'select') {
      // A selector naming other servers: nothing this server spends counts there.
      if (server !== undefined && !globMatchServer(budget, server)) return [];
      return [describeSelect(budget)];
    }
    if (kind === 'server' && server !== undefined) return [scopeOf(budget, { server, provider: '', model: '' })!];
    const current = windowLabel(budget.per, windowBounds(budget.per, now).start);
    const found = new Set<string>();
    for (const key of await s.list(`${encodeURIComponent(budget.name)}|`, now)) {
      const parsed = parseCounterKey(key);
      if (!parsed || parsed.budget !== budget.name) continue;
      if (kindOf(parsed.metric as never) === 'window' && parsed.window !== current) continue;
      found.add(parsed.scope);
    }
    return found.size > 0 ? [...found].sort() : [`${kind}=*`];
  }

  async function reset(name: string): Promise<number> {
    if (!policy.budgets.some((b) => b.name === name)) {
      const names = policy.budgets.map((b) => `"${b.name}"`).join(', ') || 'none';
      throw new McpRouteError('INVALID_PARAMS', `no budget named "${name}" in ${policy.source}; its budgets: ${names}`, { reason: 'INVALID_PARAMS' });
    }
    const cleared = await getStore().reset(`${encodeURIComponent(name)}|`);
    wakeAll();
    return cleared;
  }

  return {
    reserve,
    peek,
    status,
    reset,
    async close() {
      wakeAll();
      await waitQueue.stop({ dropWaitingJobs: false }).catch(() => {});
      if (ownsStore && store) await store.close();
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

function trusted(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * What a settle records on one counter. A reported amount that is not a non-negative finite
 * number (NaN, negative, a string from a provider's body) is not trusted: the reserved worst
 * case stays, so a bad report can neither credit a budget nor corrupt a store's running sum.
 */
function settledAmount(c: BudgetCounter, actual: Settlement): number {
  switch (c.metric) {
    case 'usd':
      return trusted(actual.usd) ? actual.usd : c.amount;
    case 'tokens':
      return trusted(actual.tokens) ? actual.tokens : c.amount;
    case 'tpm': {
      const tokens = actual.rateTokens ?? actual.tokens;
      return trusted(tokens) ? tokens : c.amount;
    }
    default:
      return 1;
  }
}

function globMatchServer(budget: Budget, server: string): boolean {
  const s = budget.scope;
  if (s.kind !== 'select' || s.server === undefined) return true;
  return scopeOf({ ...budget, scope: { kind: 'select', server: s.server } }, { server, provider: '', model: '' }) !== undefined;
}
