// A fake Anthropic Messages API on 127.0.0.1 for tests and benchmarks. Real
// `@anthropic-ai/sdk` clients point their baseURL at `url`; replies come from
// `anthropicMessage` / `anthropicError` in the shapes the real API returns.

import { startFakeHttpServer, type FakeHttpServer, type FakeReply } from './fake-http.js';

export interface AnthropicMessageInit {
  text?: string;
  /** Extra content blocks after the text, e.g. tool_use. */
  toolUses?: Array<{ id?: string; name: string; input: Record<string, unknown> }>;
  /** default end_turn, or tool_use when toolUses are given */
  stopReason?: string;
  stopSequence?: string | null;
  /** default: the model the request asked for, else "claude-fake" */
  model?: string;
  usage?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number };
}

export function anthropicMessageBody(init: AnthropicMessageInit = {}): Record<string, unknown> {
  const content: unknown[] = [];
  if (init.text !== undefined || !init.toolUses) content.push({ type: 'text', text: init.text ?? 'ok' });
  for (const [i, t] of (init.toolUses ?? []).entries()) content.push({ type: 'tool_use', id: t.id ?? `toolu_${i + 1}`, name: t.name, input: t.input });
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: init.model ?? 'claude-fake',
    content,
    stop_reason: init.stopReason ?? (init.toolUses ? 'tool_use' : 'end_turn'),
    stop_sequence: init.stopSequence ?? null,
    usage: {
      input_tokens: init.usage?.input ?? 12,
      output_tokens: init.usage?.output ?? 5,
      cache_creation_input_tokens: init.usage?.cacheWrite ?? 0,
      cache_read_input_tokens: init.usage?.cacheRead ?? 0,
    },
  };
}

/** A 200 reply carrying a message. */
export function anthropicMessage(init: AnthropicMessageInit = {}, extra: Omit<FakeReply, 'body'> = {}): FakeReply {
  return { ...extra, body: anthropicMessageBody(init) };
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** An error reply in Anthropic's `{ type: "error", error: { type, message } }` shape. */
export function anthropicError(status: number, message: string, options: { type?: string; headers?: Record<string, string> } = {}): FakeReply {
  return {
    status,
    headers: options.headers,
    body: { type: 'error', error: { type: options.type ?? errorTypes[status] ?? 'api_error', message } },
  };
}

export type FakeAnthropic = FakeHttpServer;

/** Starts the fake. With nothing queued it answers "ok" with the model the request named. Use `url` as baseURL. */
export async function startFakeAnthropic(): Promise<FakeAnthropic & { baseURL: string }> {
  const server = await startFakeHttpServer((req) => anthropicMessage({ model: typeof req.body?.model === 'string' ? req.body.model : undefined }));
  return Object.assign(server, { baseURL: server.url });
}
