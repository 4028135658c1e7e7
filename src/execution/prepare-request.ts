// The request as providers see it: tools stripped when the policy says strip. Routing decides;
// this applies the decision. maxTokens is each candidate's own (set by decide(), sent by execution).

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import type { Decision } from '../routing/types.js';
import { stripTools } from './strip-tools.js';

export function prepareRequest(request: CreateMessageRequestParams, decision: Decision): CreateMessageRequestParams {
  if (decision.settings.tools === 'strip' && (request.tools !== undefined || request.toolChoice !== undefined || hasToolBlocks(request))) {
    return stripTools(request);
  }
  return request;
}
function hasToolBlocks(request: CreateMessageRequestParams): boolean {
  return request.messages.some((m) => (Array.isArray(m.content) ? m.content : [m.content]).some((b) => b.type === 'tool_use' || b.type === 'tool_result'));
}
