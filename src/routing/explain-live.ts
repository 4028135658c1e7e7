// `explain` as `run` would meet the request: the same usable providers (a `client` provider
// only when the host declares sampling) and the budget state in the store. decide() stays pure;
// this reads the store through the gate's peek (which holds nothing) and feeds decide() the
// exhausted `fallback` budgets, then says which candidate a `reject` or `wait` budget stops.

import type { BudgetGate, PeekResult } from '../budgets/types.js';
import type { OnExceed, Policy } from '../policy/types.js';
import { worstCase } from './cost.js';
import { decide } from './decide.js';
import type { Candidate, Decision, SamplingRequest } from './types.js';

export interface LiveExplainOptions {
  serverName?: string;
  /** What the router may call: see providers/registry.ts usableProviderNames. */
  usableProviders: ReadonlySet<string>;
  /** Budget state; absent: budgets are not consulted (`--no-state`). */
  gate?: Required<Pick<BudgetGate, 'peek'>>;
}

export interface BudgetBlock {
  provider: string;
  model: string;
  budget: string;
  onExceed: OnExceed;
  message: string;
}

export interface LiveExplanation {
  decision: Decision;
  /** Candidates an exhausted budget stops, in the order `run` would reach them. */
  blocked: BudgetBlock[];
  /** Set when the candidate `run` would try first is stopped by a `reject` or `wait` budget: run refuses. */
  refusedBy?: BudgetBlock;
}

export async function explainAsRun(policy: Policy, request: SamplingRequest, options: LiveExplainOptions): Promise<LiveExplanation> {
  const base = { serverName: options.serverName, usableProviders: options.usableProviders };
  const first = decide(policy, request, base);
  if (!options.gate || policy.budgets.length === 0 || first.action !== 'route') return { decision: first, blocked: [] };

  // The same per-model estimate run reserves (decide() made it for each candidate).
  const peek = (c: Candidate): Promise<PeekResult> =>
    options.gate!.peek({
      server: options.serverName,
      provider: c.provider,
      model: c.model,
      ...worstCase(policy.models[c.model], c),
      // As run reserves: a usd budget refuses a model it cannot price.
      unpriced: !policy.models[c.model]?.cost,
    });
  const results = await Promise.all(first.candidates.map(peek));
  const blocks = new Map<string, BudgetBlock>();
  first.candidates.forEach((c, i) => {
    const r = results[i]!;
    if (!r.ok) blocks.set(`${c.provider}/${c.model}`, { provider: c.provider, model: c.model, budget: r.budget, onExceed: r.onExceed, message: r.message });
  });
  if (blocks.size === 0) return { decision: first, blocked: [] };

  // Exhausted `fallback` budgets drop their candidates, as run skips them; the others stay in place.
  const blockOf = (c: { provider: string; model: string }) => blocks.get(`${c.provider}/${c.model}`);
  const decision = decide(policy, request, {
    ...base,
    exhausted: (c) => {
      const b = blockOf(c);
      return b?.onExceed === 'fallback' ? b.budget : undefined;
    },
  });
  const blocked = first.candidates.map(blockOf).filter((b): b is BudgetBlock => b !== undefined);
  const stop = decision.action === 'route' ? blockOf(decision.candidates[0]) : undefined;
  return { decision, blocked, ...(stop && stop.onExceed !== 'fallback' ? { refusedBy: stop } : {}) };
}
