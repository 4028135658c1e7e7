// Which gateway endpoints a run serves. An explicit policy setting wins; otherwise an
// endpoint is on exactly when mcp-route strips that vendor's key variable from the server's
// environment, so a server that called the vendor directly keeps working behind mcp-route
// (now under the policy) instead of failing for want of a key.

import { CONVENTIONAL_KEY_ENV } from '../policy/defaults.js';
import type { GatewayConfig } from '../policy/types.js';

export interface GatewayApis {
  openai: boolean;
  anthropic: boolean;
}

export function gatewayApis(config: GatewayConfig | undefined, strippedFromChild: readonly string[]): GatewayApis {
  const byDefault = (api: 'openai' | 'anthropic') => strippedFromChild.includes(CONVENTIONAL_KEY_ENV[api]!);
  return {
    openai: config?.openai ?? byDefault('openai'),
    anthropic: config?.anthropic ?? byDefault('anthropic'),
  };
}
