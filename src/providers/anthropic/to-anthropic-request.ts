// MCP sampling request -> Anthropic Messages body. Pure. Anthropic takes images natively
// (also inside tool results) but has no audio input: audio is refused with
// UNSUPPORTED_CONTENT so routing can pick another model rather than send a hollow prompt.

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import { asBlocks, describeToolResultItem, structuredText, unsupported, type SamplingBlock, type ToolResultBlock } from '../content.js';

export interface AnthropicRequestOptions {
  model: string;
}

type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
export type AnthropicTextBlock = { type: 'text'; text: string };
export type AnthropicImageBlock = { type: 'image'; source: { type: 'base64'; media_type: ImageMediaType; data: string } };
export type AnthropicBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: Array<AnthropicTextBlock | AnthropicImageBlock>; is_error?: boolean };

export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  system?: string;
  messages: Array<{ role: 'user' | 'assistant'; content: AnthropicBlock[] }>;
  temperature?: number;
  stop_sequences?: string[];
  tools?: Array<{ name: string; description?: string; input_schema: Record<string, unknown> }>;
  tool_choice?: { type: 'auto' | 'any' | 'none' };
  metadata?: { user_id: string };
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export function toAnthropicRequest(request: CreateMessageRequestParams, options: AnthropicRequestOptions): AnthropicMessagesRequest {
  const messages = request.messages.map((message) => {
    const blocks = asBlocks(message.content).map((block) => toBlock(block, message.role));
    // Anthropic wants tool_result blocks at the start of the user turn that answers the calls.
    if (message.role === 'user') blocks.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'));
    return { role: message.role, content: blocks };
  });
  const body: AnthropicMessagesRequest = { model: options.model, max_tokens: request.maxTokens, messages };
  if (request.systemPrompt) body.system = request.systemPrompt;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.stopSequences?.length) body.stop_sequences = request.stopSequences;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: tool.inputSchema as Record<string, unknown>,
    }));
  }
  const mode = request.toolChoice?.mode;
  // tool_choice only goes with tools (as for OpenAI, which rejects it alone); without tools, none is implied.
  if (mode && request.tools?.length) body.tool_choice = { type: mode === 'required' ? 'any' : mode };
  // Anthropic accepts exactly one metadata field; everything else would be a 400.
  const userId = (request.metadata as Record<string, unknown> | undefined)?.user_id;
  if (typeof userId === 'string' && userId) body.metadata = { user_id: userId };
  return body;
}

function toImage(data: string, mimeType: string): AnthropicImageBlock {
  if (!IMAGE_TYPES.has(mimeType)) throw unsupported('anthropic', `images of type ${mimeType} (only jpeg, png, gif, webp)`);
  return { type: 'image', source: { type: 'base64', media_type: mimeType as ImageMediaType, data } };
}

function toBlock(block: SamplingBlock, role: 'user' | 'assistant'): AnthropicBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return toImage(block.data, block.mimeType);
    case 'audio':
      throw unsupported('anthropic', 'audio input');
    case 'tool_use':
      if (role !== 'assistant') throw unsupported('anthropic', 'a tool_use block in a user message');
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} };
    case 'tool_result':
      if (role !== 'user') throw unsupported('anthropic', 'a tool_result block in an assistant message');
      return toToolResult(block);
    default:
      throw unsupported('anthropic', `content of type ${(block as { type: string }).type}`);
  }
}

function toToolResult(block: ToolResultBlock): AnthropicBlock {
  const content: Array<AnthropicTextBlock | AnthropicImageBlock> = [];
  for (const item of block.content ?? []) {
    if (item.type === 'image' && IMAGE_TYPES.has(item.mimeType)) content.push(toImage(item.data, item.mimeType));
    else content.push({ type: 'text', text: describeToolResultItem(item) });
  }
  if (content.length === 0) {
    const structured = structuredText(block);
    if (structured) content.push({ type: 'text', text: structured });
  }
  return { type: 'tool_result', tool_use_id: block.toolUseId, content, ...(block.isError ? { is_error: true } : {}) };
}
