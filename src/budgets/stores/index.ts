// Picks the budget store named by the policy's `state` (sqlite by default). Each driver
// loads its native/heavy dependency only when chosen.

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StateConfig } from '../../policy/types.js';
import type { BudgetStore } from '../store.js';
import { createMemoryBudgetStore } from './memory.js';
import { createSqliteBudgetStore } from './sqlite.js';
import { createRedisBudgetStore } from './redis.js';

export { createMemoryBudgetStore, createSqliteBudgetStore, createRedisBudgetStore };

/** XDG_STATE_HOME/mcp-route/budgets.sqlite, else ~/.local/state/mcp-route/budgets.sqlite. */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.trim() !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'mcp-route', 'budgets.sqlite');
}

export function createBudgetStore(state: StateConfig): BudgetStore {
  switch (state.store) {
    case 'memory':
      return createMemoryBudgetStore();
    case 'redis':
      return createRedisBudgetStore({ url: state.url, prefix: state.prefix || 'mcp-route' });
    case 'sqlite':
    default:
      return createSqliteBudgetStore({ path: state.path ?? defaultStatePath() });
  }
}
