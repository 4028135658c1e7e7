// What a call cost, from the model's list price (USD per million tokens) and the usage the
// provider reported. Budgets settle with it and the audit line records it.

import type { ModelConfig } from '../policy/types.js';

/** USD for this usage; 0 when the model has no price. */
export function costUsd(model: Pick<ModelConfig, 'cost'>, usage: { inputTokens: number; outputTokens: number }): number {
  const price = model.cost;
  if (!price) return 0;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

/**
 * What a budget reserves before calling a candidate: the estimated prompt plus the most it may
 * answer, priced at the model's rates. `run` reserves it and `explain` checks it, alike.
 */
export function worstCase(
  model: Pick<ModelConfig, 'cost'> | undefined,
  promptTokens: number,
  candidate: { maxTokens?: number },
  requestedMaxTokens: number,
): { tokens: number; usd: number } {
  const maxTokens = Math.min(candidate.maxTokens ?? requestedMaxTokens, requestedMaxTokens);
  return { tokens: promptTokens + maxTokens, usd: model ? costUsd(model, { inputTokens: promptTokens, outputTokens: maxTokens }) : 0 };
}
