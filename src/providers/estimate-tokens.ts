// Usage for providers that report none (the mock, a host whose sampling gives no usage):
// counted with the same bound the router's estimates use (routing/estimate.ts), so the
// budgets settle to a figure that is never below what the reservation assumed for text.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { estimatePromptTokens, estimateTextTokens } from '../routing/estimate.js';

function contentText(content: unknown): string {
  const blocks = Array.isArray(content) ? content : [content];
  return blocks
    .map((b: { type?: string; text?: string; input?: unknown; content?: unknown }) =>
      b?.type === 'text' ? (b.text ?? '') : b?.type === 'tool_use' ? JSON.stringify(b.input ?? {}) : b?.type === 'tool_result' ? contentText(b.content ?? []) : '',
    )
    .join('\n');
}

export function estimateUsage(request: CreateMessageRequestParams, result: CreateMessageResult): { inputTokens: number; outputTokens: number } {
  return { inputTokens: estimatePromptTokens(request), outputTokens: estimateTextTokens(contentText(result.content)) };
}
