// The library's createRouter: the router of src/router/router.ts, taking any PolicyInput so an
// embedder can write `createRouter('policy.yaml')` or pass an object, and still getting the
// same validation (PolicyError with diagnostics) as `mcp-route lint`.

import type { Router, RouterOptions } from '../router/types.js';
import { createRouter as createPolicyRouter } from '../router/router.js';
import { loadPolicy, type PolicyInput } from './policy-input.js';

/**
 * Creates a router for a policy (a file path, a policy document object, or a loaded Policy).
 * Use `router.createMessage(params, { serverName, signal })` to answer sampling,
 * `router.explain(params)` to see the decision without calling a provider, and
 * `router.close()` when done (it closes provider clients and the budget store).
 */
export function createRouter(policy: PolicyInput, options: RouterOptions = {}): Router {
  return createPolicyRouter(loadPolicy(policy), options);
}
