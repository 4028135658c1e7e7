// One question embedders ask of any error the router throws: is it worth asking again
// later? Providers answer it per HTTP status (ProviderError.isRetryable); this extends the
// answer to the router's own failures, which carry the attempts that led to them.

import { McpRouteError, ProviderError, isRetryableStatus, type Attempt } from '../errors.js';

/**
 * True when the same request may succeed if sent again later:
 * - `ProviderError`: its own `isRetryable` (408, 409, 429, 5xx);
 * - `ALL_CANDIDATES_FAILED`: some attempt failed with a retryable status (rate limit,
 *   overload), not only with errors a retry cannot fix (bad key, bad request);
 * - `DEADLINE_EXCEEDED`, `STORE_ERROR`: transient by nature;
 * - `BUDGET_EXCEEDED`: the budget's window reopens (`data.resetsAt` says when, if known).
 * Policy refusals, invalid params, invalid policies and cancellations are never retryable.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ProviderError) return err.isRetryable;
  if (!(err instanceof McpRouteError)) return false;
  switch (err.code) {
    case 'ALL_CANDIDATES_FAILED': {
      const attempts = Array.isArray(err.data.attempts) ? (err.data.attempts as Attempt[]) : [];
      return attempts.some((a) => !a.ok && isRetryableStatus(a.status));
    }
    case 'DEADLINE_EXCEEDED':
    case 'STORE_ERROR':
    case 'BUDGET_EXCEEDED':
      return true;
    default:
      return false;
  }
}
