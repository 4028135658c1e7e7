// Anthropic message -> MCP CreateMessageResult plus usage. Pure. Text and tool_use blocks
// carry over; reasoning blocks (thinking) are the provider's internals and are left out.

import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { assembleResult, type ResultBlock } from '../assemble-result.js';
import type { Usage } from '../types.js';
import { MalformedResponseError } from '../malformed-response-error.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

export interface AnthropicMessageResponse {
  model?: string;
  content?: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason?: string | null;
  usage?: {
    input_tokens?: number | null;
    output_tokens?: number | null;
    cache_read_input_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
  };
}

// Results may carry tool_use, so they are built as the with-tools shape; the contract's
// CreateMessageResult is the same JSON on the wire.

export function fromAnthropicResponse(response: unknown, fallbackModel: string): { result: CreateMessageResult; usage: Usage | undefined } {
  if (!response || typeof response !== 'object') throw new MalformedResponseError('anthropic: response body is not an object');
  const body = response as AnthropicMessageResponse;
  if (!Array.isArray(body.content)) throw new MalformedResponseError('anthropic: response has no content array');
  const blocks: ResultBlock[] = [];
  for (const block of body.content) {
    if (block.type === 'text' && typeof block.text === 'string') blocks.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use' && block.id && block.name) {
      const input = block.input && typeof block.input === 'object' ? (block.input as Record<string, unknown>) : {};
      blocks.push({ type: 'tool_use', id: block.id, name: block.name, input });
    }
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
  // No counts is no report (undefined), never zero: budgets then bill the worst case.
  const reported = body.usage;
  const usage: Usage | undefined =
    reported && typeof reported.input_tokens === 'number' && typeof reported.output_tokens === 'number' ? { inputTokens: reported.input_tokens, outputTokens: reported.output_tokens } : undefined;
  if (usage && reported?.cache_read_input_tokens) usage.cacheReadTokens = reported.cache_read_input_tokens;
  if (usage && reported?.cache_creation_input_tokens) usage.cacheWriteTokens = reported.cache_creation_input_tokens;
  const stopReason = mapAnthropicStopReason(body.stop_reason);
  return { result: assembleResult(blocks, body.model, fallbackModel, stopReason), usage };
}
