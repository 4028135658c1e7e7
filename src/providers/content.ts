// Helpers shared by the provider mappers: MCP content arrives as one block or an array,
// and tool results may hold content no provider message can carry verbatim (resources,
// audio); these render it the same way for every provider.

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError } from '../errors.js';

export type SamplingMessage = CreateMessageRequestParams['messages'][number];
export type SamplingBlock = Exclude<SamplingMessage['content'], unknown[]>;
export type ToolResultBlock = Extract<SamplingBlock, { type: 'tool_result' }>;
export type ToolResultItem = ToolResultBlock['content'][number];

export function asBlocks(content: SamplingMessage['content']): SamplingBlock[] {
  return Array.isArray(content) ? content : [content];
}

export function unsupported(provider: string, what: string): McpRouteError {
  return new McpRouteError('UNSUPPORTED_CONTENT', `mcp-route: ${provider} cannot accept ${what}; route this request to a model that supports it`, {
    reason: `${provider} cannot accept ${what}`,
  });
}

/** Text for a tool-result item that the provider cannot carry natively. */
export function describeToolResultItem(item: ToolResultItem): string {
  switch (item.type) {
    case 'text':
      return item.text;
    case 'image':
      return `[image ${item.mimeType}, ${approxBytes(item.data)} bytes]`;
    case 'audio':
      return `[audio ${item.mimeType}, ${approxBytes(item.data)} bytes]`;
    case 'resource_link':
      return `[resource link: ${item.name} ${item.uri}${item.description ? ` — ${item.description}` : ''}]`;
    case 'resource': {
      const r = item.resource as { uri: string; mimeType?: string; text?: string; blob?: string };
      if (typeof r.text === 'string') return `[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}]\n${r.text}`;
      return `[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}, ${approxBytes(r.blob ?? '')} bytes binary]`;
    }
    default:
      return JSON.stringify(item);
  }
}

/** structuredContent is sent as JSON text when the tool gave no content of its own. */
export function structuredText(block: ToolResultBlock): string | undefined {
  return block.structuredContent ? JSON.stringify(block.structuredContent) : undefined;
}

function approxBytes(base64: string): number {
  return Math.floor((base64.length * 3) / 4);
}
