// The request as providers see it: maxTokens clamped to the decision's ceiling, tools
// stripped when the policy says strip. Routing decides; this applies the decision.

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import type { Decision } from '../routing/types.js';
import { stripTools } from './strip-tools.js';

export function prepareRequest(request: CreateMessageRequestParams, decision: Decision): CreateMessageRequestParams {
  let prepared = request;
  if (decision.settings.maxTokens < request.maxTokens) prepared = { ...prepared, maxTokens: decision.settings.maxTokens };
  if (decision.settings.tools === 'strip' && (request.tools !== undefined || request.toolChoice !== undefined || hasToolBlocks(request))) {
    prepared = stripTools(prepared);
  }
  return prepared;
}

function hasToolBlocks(request: CreateMessageRequestParams): boolean {
  return request.messages.some((m) => (Array.isArray(m.content) ? m.content : [m.content]).some((b) => b.type === 'tool_use' || b.type === 'tool_result'));
}
