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

import Bottleneck from 'bottleneck';
import type { Policy } from '../policy/types.js';
import { createWakeups, reserve, type ReserveContext } from './reserve.js';
import { peek, reset, status } from './status.js';
import type { BudgetStore } from './store.js';
import { createBudgetStore } from './stores/index.js';
import type { BudgetGate } from './types.js';

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

/** The gate: reserve (reserve.ts) and the read side (status.ts) over one store, opened on first use. */
export function createBudgetGate(policy: Policy, options: BudgetGateOptions = {}): BudgetGate & Pick<Required<BudgetGate>, 'peek'> {
  const ownsStore = options.store === undefined;
  let store: BudgetStore | undefined = options.store;
  const cx: ReserveContext = {
    policy,
    store: () => (store ??= createBudgetStore(policy.state)),
    clock: options.now ?? Date.now,
    leaseMs: options.leaseMs ?? Math.max(policy.defaults?.deadline ?? 0, 0) + 60_000,
    pollMs: options.pollMs ?? 100,
    waitQueue: new Bottleneck({ maxConcurrent: 1 }),
    wakeups: createWakeups(),
  };
  return {
    reserve: (request) => reserve(cx, request),
    peek: (request) => peek(cx, request),
    status: (opts) => status(cx, opts),
    async reset(name) {
      const cleared = await reset(cx, name);
      cx.wakeups.wakeAll();
      return cleared;
    },
    async close() {
      cx.wakeups.wakeAll();
      await cx.waitQueue.stop({ dropWaitingJobs: false }).catch(() => {});
      if (ownsStore && store) await store.close();
    },
  };
}
