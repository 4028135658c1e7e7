// OpenAI chat.completion -> MCP CreateMessageResult plus usage. Pure. A body that lacks
// what every completion has (a choice with a message) throws, so execution records a
// failed attempt instead of handing the server an empty answer.

import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { assembleResult, type ResultBlock } from '../assemble-result.js';
import type { Usage } from '../types.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import { MalformedResponseError } from '../malformed-response-error.js';

export interface OpenAIChatResponse {
  model?: string;
  choices?: Array<{
    finish_reason?: string | null;
    message?: {
      content?: string | null;
      refusal?: string | null;
      tool_calls?: Array<{ id: string; type?: string; function?: { name: string; arguments: string } }>;
    };
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } | null } | null;
}

// Results may carry tool_use, so they are built as the with-tools shape; the contract's
// CreateMessageResult is the same JSON on the wire.

export function fromOpenAIResponse(response: unknown, fallbackModel: string): { result: CreateMessageResult; usage: Usage | undefined } {
  if (!response || typeof response !== 'object') throw new MalformedResponseError('openai: response body is not an object');
  const body = response as OpenAIChatResponse;
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!choice?.message || typeof choice.message !== 'object') {
    throw new MalformedResponseError('openai: response has no choices[0].message');
  }
  const blocks: ResultBlock[] = [];
  const text = choice.message.content ?? choice.message.refusal;
  if (typeof text === 'string' && text.length > 0) blocks.push({ type: 'text', text });
  for (const call of choice.message.tool_calls ?? []) {
    if (!call.function) continue;
    let input: Record<string, unknown>;
    let meta: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(call.function.arguments || '{}');
      input = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      // Models sometimes emit broken JSON; the server still gets the call, with the raw text kept.
      input = {};
      meta = { 'mcp-route': { rawArguments: call.function.arguments } };
    }
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input, ...(meta ? { _meta: meta } : {}) });
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });

  // No counts is no report (undefined), never zero: budgets then bill the worst case, so a
  // gateway or model server that omits usage cannot make calls free.
  const reported = body.usage;
  const usage: Usage | undefined =
    reported && typeof reported.prompt_tokens === 'number' && typeof reported.completion_tokens === 'number'
      ? { inputTokens: reported.prompt_tokens, outputTokens: reported.completion_tokens }
      : undefined;
  const cached = reported?.prompt_tokens_details?.cached_tokens;
  if (usage && cached) usage.cacheReadTokens = cached;

  const stopReason = mapOpenAIFinishReason(choice.finish_reason);
  return { result: assembleResult(blocks, body.model, fallbackModel, stopReason), usage };
}
