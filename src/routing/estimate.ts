// A cheap, deterministic estimate of a request's prompt size in tokens, shared by the
// context-window check in decide() and by the budgets' reservations. It is deliberately
// rough (no tokenizer): providers' real counts settle budgets after the call.

import type { SamplingRequest } from './types.js';

/** Characters per token for English-like text and JSON (the usual rule of thumb). */
export const CHARS_PER_TOKEN = 4;
/** Per message: role markers and separators. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Per image: about what Anthropic charges for a ~1.15 megapixel image, the largest it keeps unscaled. */
export const IMAGE_TOKENS = 1600;
/** Per audio clip: a flat allowance, since duration is not known without decoding. */
export const AUDIO_TOKENS = 2000;

type Block = { type: string; [k: string]: unknown };

function blockChars(block: Block, acc: { chars: number; images: number; audio: number }): void {
  switch (block.type) {
    case 'text':
      acc.chars += typeof block.text === 'string' ? block.text.length : 0;
      return;
    case 'image':
      acc.images += 1;
      return;
    case 'audio':
      acc.audio += 1;
      return;
    case 'tool_use':
      acc.chars += (typeof block.name === 'string' ? block.name.length : 0) + JSON.stringify(block.input ?? {}).length;
      return;
    case 'tool_result': {
      const content = block.content;
      if (Array.isArray(content)) for (const inner of content) blockChars(inner as Block, acc);
      if (block.structuredContent !== undefined) acc.chars += JSON.stringify(block.structuredContent).length;
      return;
    }
    case 'resource': {
      const res = block.resource as { text?: unknown } | undefined;
      if (res && typeof res.text === 'string') acc.chars += res.text.length;
      return;
    }
    default:
      return;
  }
}

/**
 * ceil(characters / 4) over message text, tool_use inputs, tool_result content, the system
 * prompt and the tool definitions (name, description, input schema as JSON), plus 4 tokens per
 * message, 1600 per image and 2000 per audio clip.
 */
export function estimatePromptTokens(request: SamplingRequest): number {
  const acc = { chars: 0, images: 0, audio: 0 };
  const messages = request.messages ?? [];
  for (const message of messages) {
    const content = message.content as Block | Block[];
    if (Array.isArray(content)) for (const block of content) blockChars(block, acc);
    else if (content) blockChars(content, acc);
  }
  if (typeof request.systemPrompt === 'string') acc.chars += request.systemPrompt.length;
  if (request.tools) {
    for (const tool of request.tools) {
      acc.chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.inputSchema ?? {}).length;
    }
  }
  return (
    Math.ceil(acc.chars / CHARS_PER_TOKEN) +
    messages.length * MESSAGE_OVERHEAD_TOKENS +
    acc.images * IMAGE_TOKENS +
    acc.audio * AUDIO_TOKENS
  );
}
