// Provider types by name. The four built-in types register here; an embedder can add its
// own (`registerProvider('bedrock', factory)`) and reference it as `type:` in a policy.

import { McpRouteError } from '../errors.js';
import type { Policy, ProviderConfig } from '../policy/types.js';
import type { Provider, ProviderEnvironment, ProviderFactory } from './types.js';
import { createOpenAIProvider } from './openai.js';
import { createAnthropicProvider } from './anthropic.js';
import { createMockProvider } from './mock.js';
import { createClientProvider } from './client.js';

const factories = new Map<string, ProviderFactory>([
  ['openai', createOpenAIProvider],
  ['anthropic', createAnthropicProvider],
  ['mock', createMockProvider],
  ['client', createClientProvider],
]);

export function registerProvider(type: string, factory: ProviderFactory): void {
  factories.set(type, factory);
}

export function getProviderFactory(type: string): ProviderFactory | undefined {
  return factories.get(type);
}

export function providerTypes(): string[] {
  return [...factories.keys()];
}

export function createProvider(config: ProviderConfig, env: ProviderEnvironment = {}): Provider {
  const factory = factories.get(config.type);
  if (!factory) {
    throw new McpRouteError('POLICY_INVALID', `mcp-route: provider "${config.name}" has unknown type "${config.type}"; known types: ${providerTypes().join(', ')}`, {
      reason: 'unknown provider type',
    });
  }
  return factory(config, env);
}

/**
 * Providers a router can call: usable credentials, a registered type, and for `client` a host
 * that declared sampling. The router and `explain` both ask here, so they agree.
 */
export function usableProviderNames(policy: Pick<Policy, 'providers'>, host: { hostSampling: boolean }): Set<string> {
  return new Set(
    Object.values(policy.providers)
      .filter((p) => p.usable && factories.has(p.type) && (p.type !== 'client' || host.hostSampling))
      .map((p) => p.name),
  );
}
