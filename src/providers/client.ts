// The `client` provider: hands the request to the host's own sampling (the HostSampler the
// proxy or an embedder supplies). Without one it cannot serve; the router leaves `client`
// providers out of the usable set in that case, and a direct call fails clearly.

import { CreateMessageResultSchema, CreateMessageResultWithToolsSchema, type CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { ProviderError } from '../errors.js';
import type { ProviderConfig } from '../policy/types.js';
import { createRedactor } from '../redact.js';
import type { Provider, ProviderEnvironment } from './types.js';
import { estimateUsage } from './estimate-tokens.js';
import { withUsageMeta } from './result-meta.js';
import { validUsage } from './valid-usage.js';

// JSON-RPC code a host uses when its user declined the sampling request: asking another
// model would go against the user's choice, so it ends the request.
const USER_REJECTED = -1;

export function createClientProvider(config: ProviderConfig, env: ProviderEnvironment = {}): Provider {
  const redact = createRedactor([]);
  return {
    name: config.name,
    timeout: config.timeout,
    type: 'client',
    async createMessage(request, options) {
      const { signal, modelId } = options;
      const sampler = env.hostSampler;
      if (!sampler) {
        throw new ProviderError({
          provider: config.name,
          model: modelId,
          message: `${config.name}: the host did not declare sampling, so the client provider cannot answer`,
          isRetryable: false,
          tryNext: true,
        });
      }
      try {
        const result = checkHostResult(await sampler(request, { signal }), config.name, modelId);
        const meta = (result._meta ?? {}) as Record<string, unknown>;
        // The host's own report, when it is one; a malformed one is ignored, not trusted.
        const reported = validUsage((meta['mcp-route'] as { usage?: unknown } | undefined)?.usage);
        const usage = reported ?? estimateUsage(request, result);
        return { result: withUsageMeta(result, { provider: config.name, usage }), usage };
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        if (signal.aborted) {
          throw new ProviderError({ provider: config.name, model: modelId, message: `${config.name}/${modelId}: request aborted`, isRetryable: false, tryNext: false });
        }
        const code = (err as { code?: unknown }).code;
        const message = err instanceof Error ? err.message : String(err);
        throw new ProviderError({
          provider: config.name,
          model: modelId,
          message: redact(`${config.name}: host sampling failed${typeof code === 'number' ? ` (${code})` : ''}: ${message}`),
          isRetryable: false,
          tryNext: code !== USER_REJECTED,
        });
      }
    },
  };
}

/**
 * The host is outside our control like any provider: its answer must be a CreateMessageResult
 * (with tool blocks allowed) before it reaches the server; anything else is a failed attempt.
 */
function checkHostResult(result: unknown, provider: string, model: string): CreateMessageResult {
  if (CreateMessageResultSchema.safeParse(result).success) return result as CreateMessageResult;
  const withTools = CreateMessageResultWithToolsSchema.safeParse(result);
  if (withTools.success) return result as CreateMessageResult;
  const issue = withTools.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the result';
  throw new ProviderError({
    provider,
    model,
    message: `${provider}: the host's sampling result is malformed (${where}: ${issue?.message ?? 'invalid'})`,
    isRetryable: false,
    tryNext: true,
  });
}
