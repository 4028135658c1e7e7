// The client capabilities a host declares when the router answers its sampling: the same
// rule the proxy applies for `run` (DESIGN.md, "Tools in sampling"): `sampling.tools` only
// when some setting of the policy can let tools reach a provider.

import type { Policy } from '../policy/types.js';
import type { Router } from '../router/types.js';
import { policyMayAllowTools } from '../policy/may-allow-tools.js';

/** The `capabilities` fragment to spread into an MCP SDK `Client`'s options. */
export interface SamplingCapabilities {
  sampling: { tools?: Record<string, never> };
}

/**
 * `{ sampling: {} }`, or `{ sampling: { tools: {} } }` when the policy can allow tools
 * anywhere. Servers on protocol 2025-11-25 send tools in sampling only to clients that
 * declared `sampling.tools`, so declaring it for a policy that always strips would invite
 * requests the policy then rewrites.
 *
 * ```ts
 * const client = new Client(info, { capabilities: { ...samplingCapabilities(policy), elicitation: {} } });
 * ```
 */
export function samplingCapabilities(policyOrRouter: Policy | Router): SamplingCapabilities {
  const policy = 'createMessage' in policyOrRouter ? policyOrRouter.policy : policyOrRouter;
  return policyMayAllowTools(policy) ? { sampling: { tools: {} } } : { sampling: {} };
}
