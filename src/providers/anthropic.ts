// The `anthropic` provider: the Messages API through `@anthropic-ai/sdk`. SDK retries are
// off (execution retries); an explicit client timeout also stops the SDK from refusing
// large non-streaming max_tokens, since our AbortSignal bounds every attempt anyway. The SDK
// prints model deprecation notices with console.warn on every request: they are caught and
// go through mcp-route's logger instead, once per distinct notice.

import Anthropic, { APIError } from '@anthropic-ai/sdk';
import type { ProviderConfig } from '../policy/types.js';
import { createRedactor } from '../redact.js';
import { providerSecrets } from '../policy/secrets.js';
import type { Provider, ProviderEnvironment } from './types.js';
import { toAnthropicRequest } from './anthropic/to-anthropic-request.js';
import { fromAnthropicResponse, type AnthropicMessageResponse } from './anthropic/from-anthropic-response.js';
import { MessageAccumulator, type AnthropicStreamEvent } from './anthropic/accumulate-events.js';
import { toProviderError } from './to-provider-error.js';
import { httpFetch } from './http-fetch.js';
import { withUsageMeta } from './result-meta.js';
import { applyBodyOverrides } from './body-overrides.js';
import { readSseEvents } from './sse-events.js';

export function createAnthropicProvider(config: ProviderConfig, env: ProviderEnvironment = {}): Provider {
  const redact = createRedactor(providerSecrets(config));
  const noticesSeen = new Set<string>();
  const onNotice = (text: string) => {
    if (noticesSeen.has(text)) return;
    noticesSeen.add(text);
    env.log?.warn(`${config.name}: ${text.replace(/\s*\n\s*/g, ' ')}`);
  };
  let client: Anthropic | undefined;
  const getClient = () =>
    (client ??= new Anthropic({
      apiKey: config.apiKey || null,
      authToken: null,
      baseURL: config.baseURL,
      defaultHeaders: config.headers,
      fetch: httpFetch,
      maxRetries: 0,
      timeout: config.timeout ?? 10 * 60_000,
    }));

  return {
    name: config.name,
    timeout: config.timeout,
    type: 'anthropic',
    async createMessage(request, options) {
      const body = applyBodyOverrides(toAnthropicRequest(request, { model: options.model }), config.options, options.params);
      try {
        const client = getClient();
        const response = options.onDelta
          ? await streamMessage(client, body, options.signal, options.onDelta, onNotice)
          : await withConsoleWarnCaptured(onNotice, () => client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, { signal: options.signal }));
        const { result, usage } = fromAnthropicResponse(response, options.model);
        return { result: withUsageMeta(result, { provider: config.name, usage }), usage };
      } catch (err) {
        throw toProviderError(err, { provider: config.name, model: options.modelId, redact, signal: options.signal, endpoint: getClient().baseURL });
      }
    },
    async listModels(options) {
      try {
        const ids: string[] = [];
        for await (const m of getClient().models.list({ limit: 1000 }, { signal: options.signal })) ids.push(m.id);
        return ids;
      } catch (err) {
        throw toProviderError(err, { provider: config.name, model: 'models', redact, signal: options.signal });
      }
    },
  };
}

// Streaming: each text delta goes to onDelta as it arrives, and the events add up to the same
// Message the non-streaming call returns, so one mapper serves both. The SDK sends the request
// and turns an error status into its APIError; the events are read by readSseEvents as the
// socket delivers them, with the SDK's own rules: `ping` and unnamed events are skipped, an
// `error` event is an APIError.
async function streamMessage(client: Anthropic, body: object, signal: AbortSignal, onDelta: (text: string) => void, onNotice: (text: string) => void): Promise<AnthropicMessageResponse> {
  const params = { ...body, stream: true } as unknown as Anthropic.MessageCreateParamsStreaming;
  const response = await withConsoleWarnCaptured(onNotice, () => client.messages.create(params, { signal }).asResponse());
  const message = new MessageAccumulator();
  try {
    await readSseEvents(response, ({ event, data }) => {
      if (event === null || event === 'ping') return;
      if (event === 'error') {
        const error = parsedOr(data);
        const type = (error as { error?: { type?: Anthropic.ErrorType } }).error?.type;
        throw new APIError(undefined, error, undefined, response.headers, type);
      }
      if (!data) return;
      const text = message.add(JSON.parse(data) as AnthropicStreamEvent);
      if (text) onDelta(text);
    });
  } catch (err) {
    // An aborted request ends with the signal's reason, whatever the body said on its way out.
    signal.throwIfAborted();
    throw err;
  }
  signal.throwIfAborted();
  return message.result();
}

/** An error event's body: its JSON when it parses, else its text (as the SDK does). */
function parsedOr(data: string): object {
  try {
    return (JSON.parse(data) as object | null) ?? (data as unknown as object);
  } catch {
    return data as unknown as object;
  }
}

/**
 * Runs `start` with console.warn redirected to `onWarn`. The SDK warns synchronously inside
 * `messages.create()` before its first await, so restoring console.warn as soon as `start`
 * returns its promise catches exactly that call's notices and nothing of other code.
 */
function withConsoleWarnCaptured<T>(onWarn: (text: string) => void, start: () => T): T {
  const original = console.warn;
  console.warn = (...args: unknown[]) => onWarn(args.map(String).join(' '));
  try {
    return start();
  } finally {
    console.warn = original;
  }
}
