// The `anthropic` provider: the Messages API through `@anthropic-ai/sdk`. SDK retries are
// off (execution retries); an explicit client timeout also stops the SDK from refusing
// large non-streaming max_tokens, since our AbortSignal bounds every attempt anyway.

import Anthropic from '@anthropic-ai/sdk';
import type { ProviderConfig } from '../policy/types.js';
import { createRedactor } from '../redact.js';
import type { Provider, ProviderEnvironment } from './types.js';
import { toAnthropicRequest } from './anthropic/to-anthropic-request.js';
import { fromAnthropicResponse } from './anthropic/from-anthropic-response.js';
import { toProviderError } from './to-provider-error.js';
import { withUsageMeta } from './result-meta.js';

export function createAnthropicProvider(config: ProviderConfig, _env: ProviderEnvironment = {}): Provider {
  const redact = createRedactor([config.apiKey ?? '', ...Object.values(config.headers ?? {})]);
  let client: Anthropic | undefined;
  const getClient = () =>
    (client ??= new Anthropic({
      apiKey: config.apiKey || null,
      authToken: null,
      baseURL: config.baseURL,
      defaultHeaders: config.headers,
      maxRetries: 0,
      timeout: config.timeout ?? 10 * 60_000,
    }));

  return {
    name: config.name,
    timeout: config.timeout,
    type: 'anthropic',
    async createMessage(request, options) {
      const body = toAnthropicRequest(request, { model: options.model });
      try {
        const response = await getClient().messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, { signal: options.signal });
        const { result, usage } = fromAnthropicResponse(response, options.model);
        return { result: withUsageMeta(result, { provider: config.name, usage }), usage };
      } catch (err) {
        throw toProviderError(err, { provider: config.name, model: options.modelId, redact, signal: options.signal });
      }
    },
  };
}
