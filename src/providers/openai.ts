// The `openai` provider: Chat Completions through the official `openai` SDK, so it also
// serves OpenAI-compatible endpoints (Ollama, vLLM, OpenRouter) via baseURL. The SDK's
// own retries are off; execution runs the one retry loop and owns the AbortSignal.

import OpenAI, { APIError } from 'openai';
import type { ProviderConfig } from '../policy/types.js';
import { createRedactor } from '../redact.js';
import { providerSecrets } from '../policy/secrets.js';
import type { Provider, ProviderEnvironment } from './types.js';
import { toOpenAIRequest } from './openai/to-openai-request.js';
import { fromOpenAIResponse, type OpenAIChatResponse } from './openai/from-openai-response.js';
import { ChatCompletionAccumulator, type OpenAIChunk } from './openai/accumulate-chunks.js';
import { readSseEvents } from './sse-events.js';
import { ChatCompletionsSender } from './openai/send-chat.js';
import { toProviderError } from './to-provider-error.js';
import { httpFetch, webHeaders } from './http-fetch.js';
import { withUsageMeta } from './result-meta.js';
import { applyBodyOverrides } from './body-overrides.js';

// Without a key (a local server) the SDK would fall back to OPENAI_API_KEY from the
// environment; a placeholder keeps a policy's explicit choice explicit.
const NO_KEY = 'no-key';

export function createOpenAIProvider(config: ProviderConfig, _env: ProviderEnvironment = {}): Provider {
  const redact = createRedactor(providerSecrets(config));
  const maxTokensParam = config.maxTokensParam ?? 'max_completion_tokens';
  const storeMetadata = config.storeMetadata === true;
  let client: OpenAI | undefined;
  let sender: ChatCompletionsSender | undefined;
  const getSender = () => (sender ??= new ChatCompletionsSender(getClient()));
  const getClient = () =>
    (client ??= new OpenAI({
      apiKey: config.apiKey || NO_KEY,
      baseURL: config.baseURL,
      organization: config.organization ?? null,
      project: null,
      defaultHeaders: config.headers,
      fetch: httpFetch,
      maxRetries: 0,
      // Our AbortSignal enforces the real per-attempt timeout; this is only a backstop.
      timeout: config.timeout ?? 10 * 60_000,
    }));

  return {
    name: config.name,
    timeout: config.timeout,
    type: 'openai',
    async createMessage(request, options) {
      const body = applyBodyOverrides(toOpenAIRequest(request, { model: options.model, maxTokensParam, storeMetadata }), config.options, options.params);
      try {
        const response = options.onDelta ? await streamCompletion(getSender(), body, options.signal, options.onDelta) : await ChatCompletionsSender.parse(await getSender().send(body, options.signal));
        const { result, usage } = fromOpenAIResponse(response as OpenAIChatResponse, options.model);
        return { result: withUsageMeta(result, { provider: config.name, usage }), usage };
      } catch (err) {
        throw toProviderError(err, { provider: config.name, model: options.modelId, redact, signal: options.signal, endpoint: getClient().baseURL });
      }
    },
    async listModels(options) {
      try {
        const ids: string[] = [];
        for await (const m of getClient().models.list({ signal: options.signal })) ids.push(m.id);
        return ids;
      } catch (err) {
        throw toProviderError(err, { provider: config.name, model: 'models', redact, signal: options.signal });
      }
    },
  };
}

// Streaming: each chunk's text goes to onDelta as it arrives, and the chunks add up to the
// same chat.completion the non-streaming call returns, so one mapper serves both; usage
// arrives in the last chunk only when asked for. The events are read by readSseEvents as the
// socket delivers them, with the SDK's own rules: `[DONE]` ends the stream, an event carrying
// `error` is an APIError.
async function streamCompletion(sender: ChatCompletionsSender, body: object, signal: AbortSignal, onDelta: (text: string) => void): Promise<OpenAIChatResponse> {
  // Object.assign, not a spread with keys after it (see withUsageMeta on V8's hidden classes);
  // the body's keys are the mapper's and the policy's.
  const response = await sender.send(Object.assign({}, body, { stream: true, stream_options: { include_usage: true } }), signal);
  const completion = new ChatCompletionAccumulator();
  let done = false;
  try {
    await readSseEvents(response, ({ data }) => {
      if (done) return;
      if (data.startsWith('[DONE]')) {
        done = true;
        return;
      }
      const chunk = JSON.parse(data) as (OpenAIChunk & { error?: object }) | null;
      if (chunk?.error) throw new APIError(undefined, chunk.error, undefined, webHeaders(response));
      const text = completion.add(chunk as OpenAIChunk);
      if (text) onDelta(text);
    });
  } catch (err) {
    // An aborted request ends with the signal's reason, whatever the body said on its way out.
    signal.throwIfAborted();
    throw err;
  }
  signal.throwIfAborted();
  return completion.result();
}
