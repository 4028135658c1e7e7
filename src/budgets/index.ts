// Budget enforcement: the gate the router calls, the stores it keeps counters in, and the
// table `mcp-route budgets` prints.

export { createBudgetGate, type BudgetGateOptions } from './gate.js';
export { createBudgetStore, createMemoryBudgetStore, createSqliteBudgetStore, createRedisBudgetStore, defaultStatePath } from './stores/index.js';
export type { BudgetStore, CounterClaim, CounterKind, CounterRef, CounterSettlement, CounterState, StoreReserveResult } from './store.js';
export { formatBudgetTable } from './format.js';
export type * from './types.js';
