// Whether a candidate's failure moves on to the next candidate or ends the request. The
// provider's classification (ProviderError.tryNext) is the default; a policy's `fallbackOn`
// names the HTTP statuses that move on instead, with `default` standing for that classification.

import { McpRouteError, ProviderError } from '../errors.js';
import type { FallbackStatus } from '../policy/types.js';

export function movesOn(err: unknown, fallbackOn: readonly FallbackStatus[] | undefined): boolean {
  const classified = err instanceof ProviderError ? err.tryNext : err instanceof McpRouteError ? err.code === 'UNSUPPORTED_CONTENT' : true;
  // Only answers with a status are the policy's to judge; a timeout or a dropped connection
  // says nothing about the request, so another candidate is always worth a try.
  if (!fallbackOn || !(err instanceof ProviderError) || err.status === undefined) return classified;
  const status = err.status;
  return fallbackOn.some((entry) => (entry === 'default' ? classified : entry === '4xx' ? status >= 400 && status < 500 : entry === '5xx' ? status >= 500 && status < 600 : entry === status));
}
