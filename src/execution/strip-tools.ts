// `tools: strip` answers in text: tools and toolChoice go, and tool_use / tool_result
// blocks in the history become plain text, because providers reject tool blocks in a
// conversation that declares no tools, and the model should still see what happened.

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import { asBlocks, describeToolResultItem, structuredText, type SamplingBlock } from '../providers/content.js';

function blockToText(block: SamplingBlock): SamplingBlock {
  if (block.type === 'tool_use') {
    return { type: 'text', text: `[called tool ${block.name} (id ${block.id}) with ${JSON.stringify(block.input ?? {})}]` };
  }
  if (block.type === 'tool_result') {
    const body = (block.content ?? []).map(describeToolResultItem).join('\n') || structuredText(block) || '';
    return { type: 'text', text: `[result of tool call ${block.toolUseId}${block.isError ? ' (error)' : ''}]\n${body}` };
  }
  return block;
}

export function stripTools(request: CreateMessageRequestParams): CreateMessageRequestParams {
  const { tools: _tools, toolChoice: _toolChoice, ...rest } = request;
  const messages = request.messages.map((message) => {
    const blocks = asBlocks(message.content);
    if (!blocks.some((b) => b.type === 'tool_use' || b.type === 'tool_result')) return message;
    const converted = blocks.map(blockToText);
    return { ...message, content: Array.isArray(message.content) ? converted : converted[0]! } as typeof message;
  });
  return { ...rest, messages };
}
