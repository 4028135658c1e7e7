// The gate between raw JSON and a SamplingRequest: the MCP SDK's own schema decides what a
// valid sampling/createMessage is, and its issues are collapsed into one readable line
// (`messages[0].content.type: ...`) that the proxy sends back as -32602.

import { CreateMessageRequestParamsSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError } from '../errors.js';
import type { SamplingRequest } from './types.js';

interface Issue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  code?: string;
  errors?: Issue[][];
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(params)' : out;
}

/** For a union, the branch whose issues went deepest says most about what was meant. */
function flatten(issue: Issue, base: ReadonlyArray<PropertyKey>): Issue[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    let best: Issue[] | undefined;
    let depth = -1;
    for (const branch of issue.errors) {
      const d = Math.max(0, ...branch.map((b) => b.path.length));
      if (branch.length > 0 && d > depth) {
        depth = d;
        best = branch;
      }
    }
    if (best) return best.flatMap((b) => flatten(b, path));
  }
  return [{ path, message: issue.message }];
}

/**
 * The SDK accepts any integer; budgets reserve prompt + maxTokens before the call, so a zero or
 * negative value would reserve (and could settle) a negative amount and credit every budget.
 */
function checkMaxTokens(maxTokens: number): void {
  if (Number.isSafeInteger(maxTokens) && maxTokens >= 1) return;
  throw new McpRouteError('INVALID_PARAMS', `mcp-route: invalid sampling/createMessage params: maxTokens: must be a positive integer, got ${maxTokens}`, {
    reason: 'INVALID_PARAMS',
  });
}

/** Validates `params` of a sampling/createMessage; throws McpRouteError('INVALID_PARAMS') saying which field was wrong. */
export function parseSamplingRequest(params: unknown): SamplingRequest {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new McpRouteError('INVALID_PARAMS', 'mcp-route: invalid sampling/createMessage params: expected an object', {
      reason: 'INVALID_PARAMS',
    });
  }
  const result = CreateMessageRequestParamsSchema.safeParse(params);
  if (result.success) {
    checkMaxTokens(result.data.maxTokens);
    return result.data as SamplingRequest;
  }
  const issues = (result.error.issues as unknown as Issue[]).flatMap((i) => flatten(i, []));
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of issues) {
    const line = `${formatPath(issue.path)}: ${issue.message}`;
    if (!seen.has(line)) {
      seen.add(line);
      parts.push(line);
    }
  }
  const shown = parts.slice(0, 5).join('; ') + (parts.length > 5 ? `; and ${parts.length - 5} more` : '');
  throw new McpRouteError('INVALID_PARAMS', `mcp-route: invalid sampling/createMessage params: ${shown}`, {
    reason: 'INVALID_PARAMS',
  });
}

/**
 * Accepts the params of a sampling/createMessage, a whole JSON-RPC message carrying one, or a
 * 2026 `inputRequests` entry (`{method, params}`, as found in an input_required result): what
 * `mcp-route explain` reads from a file. Returns the validated params.
 */
export function parseSamplingRequestOrMessage(value: unknown): SamplingRequest {
  const isEntry = value !== null && typeof value === 'object' && !Array.isArray(value) && 'method' in value && !('messages' in value);
  if (isEntry || (value !== null && typeof value === 'object' && !Array.isArray(value) && 'jsonrpc' in value)) {
    const message = value as { method?: unknown; params?: unknown };
    if (message.method !== 'sampling/createMessage') {
      throw new McpRouteError(
        'INVALID_PARAMS',
        `mcp-route: expected a sampling/createMessage request, got ${message.method === undefined ? 'a message without a method' : `method "${String(message.method)}"`}`,
        { reason: 'INVALID_PARAMS' },
      );
    }
    return parseSamplingRequest(message.params);
  }
  return parseSamplingRequest(value);
}
