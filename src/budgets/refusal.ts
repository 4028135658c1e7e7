// What a refused reservation says: the budget, its limit, what is used and held, what this
// request needs and when capacity comes back. reserve and peek refuse in the same words.

import type { BudgetCounter } from './counters.js';
import { metricLabel } from './counters.js';
import type { ReserveResult } from './types.js';

export type Refusal = Extract<ReserveResult, { ok: false }>;

function fmt(n: number, metric: string): string {
  if (metric === 'usd') return `$${Number(n.toFixed(6))}`;
  return String(Number(n.toFixed(3)));
}

export function refusal(c: BudgetCounter, used: number, reserved: number, resetsAt: number | undefined, waited?: number): Refusal {
  const label = metricLabel(c.budget, c.metric);
  // An in-flight hold frees when its request ends; its lease end is only the latest that can be.
  const when =
    c.kind === 'inflight'
      ? `; frees when a request in flight ends${resetsAt !== undefined ? ` (at the latest ${new Date(resetsAt).toISOString()})` : ''}`
      : resetsAt !== undefined
        ? `; resets at ${new Date(resetsAt).toISOString()}`
        : '';
  const waitedText = waited !== undefined ? ` after waiting ${waited} ms` : '';
  const message =
    `budget "${c.budget.name}" (${label}, ${c.scope}) is exhausted${waitedText}: limit ${fmt(c.limit, c.metric)}, used ${fmt(used, c.metric)}, ` +
    `reserved ${fmt(reserved, c.metric)}, this request needs ${fmt(c.amount, c.metric)}${when}`;
  return { ok: false, budget: c.budget.name, onExceed: c.budget.onExceed, resetsAt, message };
}

export function unpricedRefusal(c: BudgetCounter, model: string): Refusal {
  const message =
    `model "${model}" has no price (no \`cost\` in the policy or the catalogue), so budget "${c.budget.name}" ` +
    `(${metricLabel(c.budget, c.metric)}, ${c.scope}) cannot count what it spends and does not admit it; add \`cost: {input, output}\` ` +
    `(USD per million tokens) to the model, or narrow the budget's scope`;
  // Waiting cannot help: only a policy change can.
  return { ok: false, budget: c.budget.name, onExceed: c.budget.onExceed === 'fallback' ? 'fallback' : 'reject', message };
}

/** The first usd counter of a request for a model without a price: such a request is refused, not counted as free. */
export function uncountable(counters: readonly BudgetCounter[], unpriced: boolean | undefined): BudgetCounter | undefined {
  return unpriced ? counters.find((c) => c.metric === 'usd') : undefined;
}
