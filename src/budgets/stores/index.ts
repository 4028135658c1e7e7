// Picks the budget store named by the policy's `state` (sqlite by default). Each driver
// loads its native/heavy dependency only when chosen.

import { defaultStatePath } from '../../policy/defaults.js';
import type { StateConfig } from '../../policy/types.js';
import type { BudgetStore } from '../store.js';
import { createMemoryBudgetStore } from './memory.js';
import { createSqliteBudgetStore } from './sqlite.js';
import { createRedisBudgetStore } from './redis.js';

export { createMemoryBudgetStore, createSqliteBudgetStore, createRedisBudgetStore };

// One default path for the whole program: the policy's (policy/defaults.ts), which the
// normaliser already fills in; this is only the fallback for a StateConfig built by hand.
export { defaultStatePath };

export function createBudgetStore(state: StateConfig): BudgetStore {
  switch (state.store) {
    case 'memory':
      return createMemoryBudgetStore();
    case 'redis':
      return createRedisBudgetStore({ url: state.url, prefix: state.prefix || 'mcp-route' });
    default:
      return createSqliteBudgetStore({ path: state.path ?? defaultStatePath() });
  }
}
