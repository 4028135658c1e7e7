// Usage arrives from outside mcp-route (a provider's response body, the host's `_meta`, an
// embedder's provider) and budgets add it to shared counters, so only non-negative safe
// integers count as a report; anything else is treated as no report at all.

import type { Usage } from './types.js';

function count(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A clean copy of `value` when it is a valid usage report, else undefined. */
export function validUsage(value: unknown): Usage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const u = value as Record<string, unknown>;
  if (!count(u.inputTokens) || !count(u.outputTokens)) return undefined;
  const out: Usage = { inputTokens: u.inputTokens, outputTokens: u.outputTokens };
  for (const key of ['cacheReadTokens', 'cacheWriteTokens'] as const) {
    if (u[key] === undefined) continue;
    if (!count(u[key])) return undefined;
    out[key] = u[key];
  }
  return out;
}
