// BudgetStore for one process (tests, embedding). Every operation runs in a single JS turn
// with no await inside, which is what makes a multi-counter reservation atomic here.

import { EPSILON, type BudgetStore, type CounterClaim, type CounterRef, type CounterSettlement, type CounterState, type StoreReserveResult } from '../store.js';

interface Entry {
  amount: number;
  ts: number;
  leaseUntil: number;
  settled: boolean;
}

interface Counter {
  /** window counters: settled total. */
  total: number;
  /** window: ms epoch after which the counter can be dropped. */
  expiresAt: number;
  entries: Map<string, Entry>;
}

export function createMemoryBudgetStore(): BudgetStore {
  const counters = new Map<string, Counter>();

  function counter(ref: CounterRef, create: true): Counter;
  function counter(ref: CounterRef, create: false): Counter | undefined;
  function counter(ref: CounterRef, create: boolean): Counter | undefined {
    let c = counters.get(ref.key);
    if (!c && create) {
      c = { total: 0, expiresAt: ref.windowEnd ?? 0, entries: new Map() };
      counters.set(ref.key, c);
    }
    return c;
  }

  function prune(c: Counter, ref: CounterRef, now: number): void {
    for (const [id, e] of c.entries) {
      if (ref.kind === 'sliding' ? e.ts <= now - (ref.windowMs ?? 60_000) : !e.settled && e.leaseUntil <= now) c.entries.delete(id);
    }
  }

  function measure(c: Counter | undefined, ref: CounterRef, now: number): { used: number; reserved: number; earliest?: number } {
    if (!c) return { used: 0, reserved: 0 };
    prune(c, ref, now);
    let used = ref.kind === 'window' ? c.total : 0;
    let reserved = 0;
    let earliest: number | undefined;
    for (const e of c.entries.values()) {
      if (e.settled) used += e.amount;
      else reserved += e.amount;
      const frees = ref.kind === 'sliding' ? e.ts + (ref.windowMs ?? 60_000) : e.leaseUntil;
      if (earliest === undefined || frees < earliest) earliest = frees;
    }
    return { used, reserved, earliest };
  }

  return {
    kind: 'memory',
    async reserve(id: string, claims: CounterClaim[], now: number, leaseUntil: number): Promise<StoreReserveResult> {
      for (let i = 0; i < claims.length; i++) {
        const claim = claims[i]!;
        const m = measure(counters.get(claim.key), claim, now);
        if (m.used + m.reserved + claim.amount > claim.limit + EPSILON) {
          const resetsAt = claim.kind === 'window' ? claim.windowEnd : m.earliest;
          return { ok: false, index: i, used: m.used, reserved: m.reserved, resetsAt };
        }
      }
      for (const claim of claims) counter(claim, true).entries.set(id, { amount: claim.amount, ts: now, leaseUntil, settled: false });
      return { ok: true };
    },
    async settle(id: string, settlements: CounterSettlement[], now: number): Promise<void> {
      for (const s of settlements) {
        const c = counter(s, true);
        if (s.kind === 'window') {
          c.entries.delete(id);
          c.total += s.amount;
        } else if (s.kind === 'sliding') {
          const e = c.entries.get(id);
          if (e) {
            e.amount = s.amount;
            e.settled = true;
          }
        } else c.entries.delete(id);
      }
      void now;
    },
    async release(id: string, refs: CounterRef[]): Promise<void> {
      for (const r of refs) counters.get(r.key)?.entries.delete(id);
    },
    async list(prefix: string, now: number): Promise<string[]> {
      const out: string[] = [];
      for (const [key, c] of counters) {
        if (c.expiresAt && c.expiresAt <= now) {
          counters.delete(key);
          continue;
        }
        if (key.startsWith(prefix)) out.push(key);
      }
      return out;
    },
    async read(refs: CounterRef[], now: number): Promise<CounterState[]> {
      return refs.map((r) => {
        const m = measure(counters.get(r.key), r, now);
        return { key: r.key, used: m.used, reserved: m.reserved };
      });
    },
    async reset(prefix: string): Promise<number> {
      let n = 0;
      for (const key of [...counters.keys()]) if (key.startsWith(prefix) && counters.delete(key)) n++;
      return n;
    },
    async close(): Promise<void> {
      counters.clear();
    },
  };
}
