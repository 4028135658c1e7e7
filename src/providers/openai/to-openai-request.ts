// MCP sampling request -> OpenAI Chat Completions body. Pure: the same input always gives
// the same body, so tests check it on fixtures and on what a fake server received. Where
// Chat Completions cannot carry something (images in tool messages, audio other than
// wav/mp3) it is rendered as text or refused with UNSUPPORTED_CONTENT, never dropped.

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import { asBlocks, describeToolResultItem, structuredText, unsupported, type SamplingBlock, type ToolResultBlock } from '../content.js';

export interface OpenAIRequestOptions {
  /** Model name sent to the API. */
  model: string;
  /**
   * `max_completion_tokens` (default; required by o-series and gpt-5) or the older
   * `max_tokens` for OpenAI-compatible servers that only know it.
   */
  maxTokensParam?: 'max_completion_tokens' | 'max_tokens';
  /**
   * OpenAI only accepts `metadata` together with `store: true` (the completion is kept
   * on OpenAI's side). Off by default; when on, string metadata values are sent with store.
   */
  storeMetadata?: boolean;
}

export type OpenAIContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } } | { type: 'input_audio'; input_audio: { data: string; format: 'wav' | 'mp3' } };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  max_completion_tokens?: number;
  max_tokens?: number;
  temperature?: number;
  stop?: string[];
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters: Record<string, unknown> } }>;
  tool_choice?: 'auto' | 'required' | 'none';
  metadata?: Record<string, string>;
  store?: boolean;
}

const AUDIO_FORMATS: Record<string, 'wav' | 'mp3'> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
};

export function toOpenAIRequest(request: CreateMessageRequestParams, options: OpenAIRequestOptions): OpenAIChatRequest {
  const messages: OpenAIMessage[] = [];
  if (request.systemPrompt) messages.push({ role: 'system', content: request.systemPrompt });

  for (const message of request.messages) {
    const blocks = asBlocks(message.content);
    if (message.role === 'assistant') {
      messages.push(toAssistantMessage(blocks));
      continue;
    }
    // Tool messages must directly follow the assistant turn that called the tools, so
    // tool results go first; what a tool message cannot hold (images, audio) follows in a
    // user message together with the user's own content.
    const parts: OpenAIContentPart[] = [];
    for (const block of blocks) {
      if (block.type === 'tool_result') {
        const { message: toolMessage, attachments } = toToolMessage(block);
        messages.push(toolMessage);
        parts.push(...attachments);
      }
    }
    for (const block of blocks) {
      if (block.type !== 'tool_result') parts.push(toUserPart(block));
    }
    if (parts.length > 0) {
      const onlyText = parts.length === 1 && parts[0]!.type === 'text';
      messages.push({ role: 'user', content: onlyText ? (parts[0] as { text: string }).text : parts });
    }
  }

  const body: OpenAIChatRequest = { model: options.model, messages };
  if ((options.maxTokensParam ?? 'max_completion_tokens') === 'max_tokens') body.max_tokens = request.maxTokens;
  else body.max_completion_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.stopSequences?.length) body.stop = request.stopSequences;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.inputSchema as Record<string, unknown>,
      },
    }));
  }
  const mode = request.toolChoice?.mode;
  // OpenAI answers 400 to tool_choice without tools; with no tools, none is what happens anyway.
  if (mode && request.tools?.length) body.tool_choice = mode;
  if (options.storeMetadata && request.metadata && typeof request.metadata === 'object') {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.metadata)) if (typeof v === 'string') metadata[k] = v;
    if (Object.keys(metadata).length) {
      body.metadata = metadata;
      body.store = true;
    }
  }
  return body;
}

function toUserPart(block: SamplingBlock): OpenAIContentPart {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return { type: 'image_url', image_url: { url: `data:${block.mimeType};base64,${block.data}` } };
    case 'audio': {
      const format = AUDIO_FORMATS[block.mimeType.toLowerCase()];
      if (!format) throw unsupported('openai', `audio of type ${block.mimeType} (only wav and mp3)`);
      return { type: 'input_audio', input_audio: { data: block.data, format } };
    }
    case 'tool_use':
      throw unsupported('openai', 'a tool_use block in a user message');
    default:
      throw unsupported('openai', `content of type ${(block as { type: string }).type}`);
  }
}

function toAssistantMessage(blocks: SamplingBlock[]): OpenAIMessage {
  const texts: string[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    } else throw unsupported('openai', `${block.type} content in an assistant message`);
  }
  return {
    role: 'assistant',
    content: texts.length ? texts.join('\n\n') : null,
    ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
  };
}

function toToolMessage(block: ToolResultBlock): { message: OpenAIMessage; attachments: OpenAIContentPart[] } {
  const lines: string[] = [];
  const attachments: OpenAIContentPart[] = [];
  for (const item of block.content ?? []) {
    if (item.type === 'image') {
      lines.push(`${describeToolResultItem(item)} (attached in the next user message)`);
      attachments.push({ type: 'image_url', image_url: { url: `data:${item.mimeType};base64,${item.data}` } });
    } else {
      lines.push(describeToolResultItem(item));
    }
  }
  if (lines.length === 0) lines.push(structuredText(block) ?? '');
  const text = lines.join('\n');
  return {
    message: { role: 'tool', tool_call_id: block.toolUseId, content: block.isError ? `[tool error] ${text}` : text },
    attachments,
  };
}
