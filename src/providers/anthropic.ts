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
        const response = options.onDelta
          ? await streamMessage(getClient(), body, options.signal, options.onDelta)
          : await getClient().messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, { signal: options.signal });
        const { result, usage } = fromAnthropicResponse(response, options.model);
        return { result: withUsageMeta(result, { provider: config.name, usage }), usage };
      } catch (err) {
        throw toProviderError(err, { provider: config.name, model: options.modelId, redact, signal: options.signal });
      }
    },
  };
}

// The SDK's MessageStream accumulates events into the Message the non-streaming call
// returns, so one mapper serves both.
async function streamMessage(client: Anthropic, body: object, signal: AbortSignal, onDelta: (text: string) => void): Promise<Anthropic.Message> {
  const stream = client.messages.stream(body as unknown as Anthropic.MessageCreateParamsStreaming, { signal });
  stream.on('text', (delta) => onDelta(delta));
  return stream.finalMessage();
}
