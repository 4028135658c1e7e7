// A fake OpenAI Chat Completions API on 127.0.0.1 for tests and benchmarks. Real `openai`
// clients point their baseURL at `url`; each reply is built by `openaiCompletion` /
// `openaiError` in the shapes the real API returns (including usage and tool calls).

import { startFakeHttpServer, type FakeHttpServer, type FakeReply } from './fake-http.js';

export interface OpenAICompletionInit {
  text?: string | null;
  toolCalls?: Array<{ id?: string; name: string; arguments: Record<string, unknown> | string }>;
  /** default "stop", or "tool_calls" when toolCalls are given */
  finishReason?: string;
  /** default: the model the request asked for (see startFakeOpenAI), else "gpt-fake" */
  model?: string;
  usage?: { prompt?: number; completion?: number; cached?: number };
  refusal?: string | null;
}

export function openaiCompletionBody(init: OpenAICompletionInit = {}): Record<string, unknown> {
  const toolCalls = init.toolCalls?.map((c, i) => ({
    id: c.id ?? `call_${i + 1}`,
    type: 'function',
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  const prompt = init.usage?.prompt ?? 12;
  const completion = init.usage?.completion ?? 5;
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: init.model ?? 'gpt-fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: init.text === undefined ? (toolCalls ? null : 'ok') : init.text,
          refusal: init.refusal ?? null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: init.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
      },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: init.usage?.cached ?? 0 },
    },
  };
}

/** A 200 reply carrying a chat.completion. */
export function openaiCompletion(init: OpenAICompletionInit = {}, extra: Omit<FakeReply, 'body'> = {}): FakeReply {
  return { ...extra, body: openaiCompletionBody(init) };
}

/** An error reply in OpenAI's `{ error: { message, type, code } }` shape. */
export function openaiError(status: number, message: string, options: { code?: string; type?: string; headers?: Record<string, string> } = {}): FakeReply {
  return {
    status,
    headers: options.headers,
    body: { error: { message, type: options.type ?? 'invalid_request_error', param: null, code: options.code ?? null } },
  };
}

export type FakeOpenAI = FakeHttpServer;

/**
 * Starts the fake. With nothing queued it answers every call with text "ok" and the
 * model the request named. Point clients at `${url}/v1` (the SDK appends /chat/completions).
 */
export async function startFakeOpenAI(): Promise<FakeOpenAI & { baseURL: string }> {
  const server = await startFakeHttpServer((req) => openaiCompletion({ model: typeof req.body?.model === 'string' ? req.body.model : undefined }));
  return Object.assign(server, { baseURL: `${server.url}/v1` });
}
