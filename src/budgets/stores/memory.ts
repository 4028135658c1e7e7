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

type Counters = Map<string, Counter>;

export function createMemoryBudgetStore(): BudgetStore {
  const counters: Counters = new Map();
  return {
    kind: 'memory',
    reserve: async (id, claims, now, leaseUntil) => reserve(counters, id, claims, now, leaseUntil),
    settle: async (id, settlements) => settle(counters, id, settlements),
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

function reserve(counters: Counters, id: string, claims: CounterClaim[], now: number, leaseUntil: number): StoreReserveResult {
  for (let i = 0; i < claims.length; i++) {
    const claim = claims[i]!;
    const m = measure(counters.get(claim.key), claim, now);
    if (m.used + m.reserved + claim.amount > claim.limit + EPSILON) {
      const resetsAt = claim.kind === 'window' ? claim.windowEnd : m.earliest;
      return { ok: false, index: i, used: m.used, reserved: m.reserved, resetsAt };
    }
  }
  for (const claim of claims) counterOf(counters, claim).entries.set(id, { amount: claim.amount, ts: now, leaseUntil, settled: false });
  return { ok: true };
}

function settle(counters: Counters, id: string, settlements: CounterSettlement[]): void {
  for (const s of settlements) {
    const c = counterOf(counters, s);
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
}

/** The counter for `ref`, created empty when it does not exist yet. */
function counterOf(counters: Counters, ref: CounterRef): Counter {
  let c = counters.get(ref.key);
  if (!c) {
    c = { total: 0, expiresAt: ref.kind === 'window' ? ref.windowEnd : 0, entries: new Map() };
    counters.set(ref.key, c);
  }
  return c;
}

/** When an entry stops counting: a rolling window's end for sliding counters, else its lease. */
function freesAt(ref: CounterRef, e: Entry): number {
  return ref.kind === 'sliding' ? e.ts + ref.windowMs : e.leaseUntil;
}

function measure(c: Counter | undefined, ref: CounterRef, now: number): { used: number; reserved: number; earliest?: number } {
  if (!c) return { used: 0, reserved: 0 };
  // Drop what no longer counts: entries out of the rolling window, and holds whose lease ended.
  for (const [id, e] of c.entries) if ((ref.kind === 'sliding' || !e.settled) && freesAt(ref, e) <= now) c.entries.delete(id);
  let used = ref.kind === 'window' ? c.total : 0;
  let reserved = 0;
  let earliest: number | undefined;
  for (const e of c.entries.values()) {
    if (e.settled) used += e.amount;
    else reserved += e.amount;
    const frees = freesAt(ref, e);
    if (earliest === undefined || frees < earliest) earliest = frees;
  }
  return { used, reserved, earliest };
}
