// Reading budgets without taking anything: what reserve would answer now (`explain`), the
// table `mcp-route budgets` prints, and clearing one budget's counters.

import { McpRouteError } from '../errors.js';
import type { Budget, Policy } from '../policy/types.js';
import { countersFor, describeSelect, kindOf, makeCounter, type Metric, metricLabel, metricsOf, parseCounterKey, scopeOf } from './counters.js';
import { refusal, uncountable, unpricedRefusal } from './refusal.js';
import { EPSILON, type BudgetStore } from './store.js';
import type { BudgetStatus, PeekRequest, PeekResult } from './types.js';
import { windowBounds, windowLabel } from './windows.js';

/** What reading budgets shares with the rest of the gate. */
export interface StatusContext {
  policy: Policy;
  store(): BudgetStore;
  clock(): number;
}

// What reserve would answer right now, holding nothing: `explain` shows budget state as `run` meets it.
export async function peek(cx: StatusContext, request: PeekRequest): Promise<PeekResult> {
  const now = cx.clock();
  const amount = { tokens: Math.max(0, request.tokens), usd: Math.max(0, request.usd) };
  const counters = countersFor(cx.policy.budgets, { server: request.server, provider: request.provider, model: request.model }, now, amount);
  if (counters.length === 0) return { ok: true };
  const unpriced = uncountable(counters, request.unpriced);
  if (unpriced) return unpricedRefusal(unpriced, request.model);
  const states = await cx.store().read(counters, now);
  for (let i = 0; i < counters.length; i++) {
    const c = counters[i]!;
    const { used, reserved } = states[i]!;
    if (used + reserved + c.amount > c.limit + EPSILON) return refusal(c, used, reserved, c.kind === 'window' ? c.windowEnd : undefined);
  }
  return { ok: true };
}

/** One row per budget, scope value and limit; `server` narrows to what that server spends. */
export async function status(cx: StatusContext, opts: { server?: string } = {}): Promise<BudgetStatus[]> {
  const now = cx.clock();
  const s = cx.store();
  const rows: BudgetStatus[] = [];
  for (const budget of cx.policy.budgets) {
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

/** The scope values a budget has counters for (this window's), or a placeholder row when none. */
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
    if (kindOf(parsed.metric as Metric) === 'window' && parsed.window !== current) continue;
    found.add(parsed.scope);
  }
  return found.size > 0 ? [...found].sort() : [`${kind}=*`];
}

function globMatchServer(budget: Budget, server: string): boolean {
  const s = budget.scope;
  if (s.kind !== 'select' || s.server === undefined) return true;
  return scopeOf({ ...budget, scope: { kind: 'select', server: s.server } }, { server, provider: '', model: '' }) !== undefined;
}

/** Forgets every counter of the budget `name`; an unknown name is an error naming the budgets there are. */
export async function reset(cx: StatusContext, name: string): Promise<number> {
  if (!cx.policy.budgets.some((b) => b.name === name)) {
    const names = cx.policy.budgets.map((b) => `"${b.name}"`).join(', ') || 'none';
    throw new McpRouteError('INVALID_PARAMS', `no budget named "${name}" in ${cx.policy.source}; its budgets: ${names}`, { reason: 'INVALID_PARAMS' });
  }
  return cx.store().reset(`${encodeURIComponent(name)}|`);
}
