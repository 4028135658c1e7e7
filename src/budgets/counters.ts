// Turns a policy budget and one request into the store counters it touches: which budgets
// apply (scope), one counter per distinct scope value and per limit the budget sets, and
// the key naming that counter (the calendar window is part of a usd/tokens key).

import type { Budget } from '../policy/types.js';
import { globMatches, matchableServerName } from '../routing/glob.js';
import type { CounterClaim, CounterKind } from './store.js';
import { windowBounds, windowLabel } from './windows.js';

export type Metric = 'rpm' | 'tpm' | 'concurrency' | 'tokens' | 'usd';
export const METRICS: readonly Metric[] = ['usd', 'tokens', 'tpm', 'rpm', 'concurrency'];

/** rpm and tpm count over a rolling minute: never more than the limit in any 60 s span. */
export const RATE_WINDOW_MS = 60_000;

export type BudgetCounter = CounterClaim & {
  budget: Budget;
  metric: Metric;
  scope: string;
};

export interface Subject {
  server?: string;
  provider: string;
  model: string;
}

/** The scope value this request counts under for `budget`, or undefined when the budget does not apply. */
export function scopeOf(budget: Budget, subject: Subject): string | undefined {
  const s = budget.scope;
  const server = matchableServerName(subject.server);
  switch (s.kind) {
    case 'global':
      return 'global';
    case 'server':
      return `server=${server ?? '(unnamed)'}`;
    case 'provider':
      return `provider=${subject.provider}`;
    case 'model':
      return `model=${subject.model}`;
    case 'select':
      // Selectors are globs with the same (case-insensitive) rules as `when.server`.
      if (s.server !== undefined && (server === undefined || !globMatches(s.server, server))) return undefined;
      if (s.provider !== undefined && !globMatches(s.provider, subject.provider)) return undefined;
      if (s.model !== undefined && !globMatches(s.model, subject.model)) return undefined;
      return describeSelect(budget);
  }
}

export function describeSelect(budget: Budget): string {
  const s = budget.scope;
  if (s.kind !== 'select') return s.kind;
  const parts = (['server', 'provider', 'model'] as const).filter((k) => s[k] !== undefined).map((k) => `${k}=${s[k]}`);
  return parts.join(',') || 'global';
}

export function metricsOf(budget: Budget): Metric[] {
  return METRICS.filter((m) => budget[m] !== undefined);
}

export function metricLabel(budget: Budget, metric: Metric): string {
  return metric === 'usd' || metric === 'tokens' ? `${metric}/${budget.per}` : metric;
}

export function kindOf(metric: Metric): CounterKind {
  return metric === 'usd' || metric === 'tokens' ? 'window' : metric === 'concurrency' ? 'inflight' : 'sliding';
}

export function counterKey(budget: Budget, scope: string, metric: Metric, now: number): string {
  const parts = [budget.name, scope, metric];
  if (kindOf(metric) === 'window') parts.push(windowLabel(budget.per, windowBounds(budget.per, now).start));
  return parts.map(encodeURIComponent).join('|');
}

export function parseCounterKey(key: string): { budget: string; scope: string; metric: string; window?: string } | undefined {
  const parts = key.split('|').map((p) => decodeURIComponent(p));
  if (parts.length < 3) return undefined;
  return { budget: parts[0]!, scope: parts[1]!, metric: parts[2]!, window: parts[3] };
}

/** The counter for one metric of one budget at one scope value; `amount` is what a reservation would take. */
export function makeCounter(budget: Budget, scope: string, metric: Metric, now: number, amount: { tokens: number; usd: number }): BudgetCounter {
  const key = counterKey(budget, scope, metric, now);
  const limit = budget[metric] ?? Infinity;
  const taken = metric === 'usd' ? amount.usd : metric === 'tokens' || metric === 'tpm' ? amount.tokens : 1;
  // One literal per kind (no spread): this runs for every budget of every request.
  const kind = kindOf(metric);
  if (kind === 'window') return { budget, metric, scope, key, kind, limit, amount: taken, windowEnd: windowBounds(budget.per, now).end };
  if (kind === 'sliding') return { budget, metric, scope, key, kind, limit, amount: taken, windowMs: RATE_WINDOW_MS };
  return { budget, metric, scope, key, kind, limit, amount: taken };
}

export function countersFor(budgets: readonly Budget[], subject: Subject, now: number, amount: { tokens: number; usd: number }): BudgetCounter[] {
  const out: BudgetCounter[] = [];
  for (const budget of budgets) {
    const scope = scopeOf(budget, subject);
    if (scope === undefined) continue;
    for (const metric of metricsOf(budget)) out.push(makeCounter(budget, scope, metric, now, amount));
  }
  return out;
}
