// One question about a policy that both the proxy (what to declare in initialize) and the
// library (samplingCapabilities) must answer the same way.

import type { Policy } from './types.js';

/** Whether any setting in the policy (defaults or a routing rule) can let tools reach a provider. */
export function policyMayAllowTools(policy: Policy): boolean {
  return policy.defaults.tools === 'allow' || policy.rules.some((r) => r.action !== 'deny' && r.settings.tools === 'allow');
}
