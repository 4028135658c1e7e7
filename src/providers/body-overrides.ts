// The last step before a request body goes to the wire: the provider's `options` are merged
// over the fields mcp-route built from the sampling request, then the model's `params.drop`
// removes keys the model rejects and `params.set` has the last word. One function, shared by
// the openai and anthropic providers, so the order is the same for both.

import type { ModelParams } from '../policy/types.js';

/** Body keys each mapper (to-openai-request, to-anthropic-request) may set; lint warns when `options` replaces one. */
export const OWN_BODY_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  openai: ['model', 'messages', 'max_completion_tokens', 'max_tokens', 'temperature', 'stop', 'tools', 'tool_choice', 'metadata', 'store'],
  anthropic: ['model', 'messages', 'max_tokens', 'system', 'temperature', 'stop_sequences', 'tools', 'tool_choice', 'metadata'],
});

/**
 * Keys `options` and `params.set` may not replace: routing chose the model, the conversation
 * is the server's, and mcp-route reads a single JSON answer, not a stream.
 */
export const RESERVED_BODY_KEYS: readonly string[] = Object.freeze(['model', 'messages', 'stream']);

export function applyBodyOverrides<T extends object>(body: T, options: Record<string, unknown>, params: ModelParams | undefined): T {
  // Object.assign onto a literal, not a spread: keys added to a spread copy make V8 (Node 20)
  // build a new hidden class per call (see withUsageMeta). The body's keys are the mapper's own.
  const out = Object.assign({}, body) as Record<string, unknown>;
  for (const [k, v] of Object.entries(options)) if (!RESERVED_BODY_KEYS.includes(k)) out[k] = v;
  if (params) {
    for (const k of params.drop) if (!RESERVED_BODY_KEYS.includes(k)) delete out[k];
    for (const [k, v] of Object.entries(params.set)) if (!RESERVED_BODY_KEYS.includes(k)) out[k] = v;
  }
  return out as T;
}
