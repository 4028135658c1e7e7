// The `_meta` key every mcp-route answer carries: `_meta["mcp-route"]` holds which
// provider answered and the usage it reported. The router adds costUsd and attempts.

import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { Usage } from './types.js';

export const META_KEY = 'mcp-route';

export function withUsageMeta(result: CreateMessageResult, meta: { provider: string; usage: Usage | undefined } & Record<string, unknown>): CreateMessageResult {
  const existing = (result._meta ?? {}) as Record<string, unknown>;
  const ours = (existing[META_KEY] ?? {}) as Record<string, unknown>;
  return { ...result, _meta: { ...existing, [META_KEY]: { ...ours, ...meta } } };
}
