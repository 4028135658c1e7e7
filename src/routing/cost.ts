// What a call cost, from the model's list price (USD per million tokens) and the usage the
// provider reported. Budgets settle with it and the audit line records it.

import type { ModelConfig } from '../policy/types.js';
import type { Candidate } from './types.js';

/** USD for this usage; 0 when the model has no price. */
export function costUsd(model: Pick<ModelConfig, 'cost'>, usage: { inputTokens: number; outputTokens: number }): number {
  const price = model.cost;
  if (!price) return 0;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

/** The most one call to a candidate can use: its estimated prompt and every token it may write. */
export function worstUsage(candidate: Pick<Candidate, 'prompt' | 'maxTokens'>): { inputTokens: number; outputTokens: number } {
  return { inputTokens: candidate.prompt.tokens, outputTokens: candidate.maxTokens };
}

/**
 * What a budget reserves before calling a candidate: the estimated prompt plus the most it may
 * answer, priced at the model's rates. `run` reserves it, `explain` checks it and the approval
 * question shows it, alike.
 */
export function worstCase(model: Pick<ModelConfig, 'cost'> | undefined, candidate: Pick<Candidate, 'prompt' | 'maxTokens'>): { tokens: number; usd: number } {
  const worst = worstUsage(candidate);
  return { tokens: worst.inputTokens + worst.outputTokens, usd: model ? costUsd(model, worst) : 0 };
}
