// A cheap token estimate (about four characters a token) for providers that report no
// usage: the mock and the host's own sampling.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';

export function roughTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function contentText(content: unknown): string {
  const blocks = Array.isArray(content) ? content : [content];
  return blocks
    .map((b: { type?: string; text?: string; input?: unknown; content?: unknown }) =>
      b?.type === 'text' ? (b.text ?? '') : b?.type === 'tool_use' ? JSON.stringify(b.input ?? {}) : b?.type === 'tool_result' ? contentText(b.content ?? []) : '',
    )
    .join('\n');
}

export function estimateUsage(request: CreateMessageRequestParams, result: CreateMessageResult): { inputTokens: number; outputTokens: number } {
  const prompt = [request.systemPrompt ?? '', ...request.messages.map((m) => contentText(m.content))].join('\n');
  return { inputTokens: roughTokens(prompt), outputTokens: roughTokens(contentText(result.content)) };
}
