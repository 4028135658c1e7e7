// Renders BudgetStatus rows as the aligned table `mcp-route budgets` prints, and names the
// store they come from (for `budgets` and `explain`).

import type { Policy } from '../policy/types.js';
import type { BudgetStatus } from './types.js';
import { alignColumns } from '../util/text-table.js';

/** The policy's store for people: its kind and where it is, a Redis password masked. */
export function storeLabel(policy: Pick<Policy, 'state'>): string {
  const s = policy.state;
  if (s.store === 'sqlite') return `sqlite ${s.path ?? ''}`.trim();
  if (s.store === 'redis') return `redis ${(s.url ?? '').replace(/\/\/[^@/]*@/, '//***@')} (prefix ${s.prefix})`;
  return 'memory (this process only: always empty here)';
}

function num(n: number, limit: string): string {
  if (!Number.isFinite(n)) return '-';
  if (limit.startsWith('usd')) return `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : 2)}`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function formatBudgetTable(rows: BudgetStatus[]): string {
  if (rows.length === 0) return 'no budgets in this policy\n';
  const header = ['BUDGET', 'SCOPE', 'LIMIT', 'MAX', 'USED', 'RESERVED', 'REMAINING', 'RESETS'];
  const body = rows.map((r) => [
    r.name,
    r.scope,
    r.limit,
    num(r.max, r.limit),
    num(r.used, r.limit),
    num(r.reserved, r.limit),
    num(r.remaining, r.limit),
    r.resetsAt !== undefined ? new Date(r.resetsAt).toISOString().replace('.000Z', 'Z') : r.limit === 'concurrency' ? 'when a request ends' : 'rolling 60s',
  ]);
  return `${alignColumns([header, ...body]).join('\n')}\n`;
}
