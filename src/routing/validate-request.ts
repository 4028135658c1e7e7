// The gate between raw JSON and a SamplingRequest: the MCP SDK's own schema decides what a
// valid sampling/createMessage is, and its issues are collapsed into one readable line
// (`messages[0].content.type: ...`) that the proxy sends back as -32602. The common request
// (text messages, hints, the plain settings) is checked by hand first: the schema costs tens
// of microseconds per call, on the path of every gateway and sampling request before the
// provider call goes out (README, "Speed"). Anything else, valid or not, goes to the schema,
// so what passes and every error message stay the schema's.

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

type Obj = Record<string, unknown>;

/** A plain object (JSON's kind) whose own keys are all among `allowed`, none undefined. */
function plainWith(value: unknown, allowed: ReadonlySet<string>): value is Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) if (!allowed.has(key) || (value as Obj)[key] === undefined) return false;
  return true;
}

const PARAMS_KEYS = new Set(['messages', 'modelPreferences', 'systemPrompt', 'temperature', 'maxTokens', 'stopSequences', 'metadata']);
const MESSAGE_KEYS = new Set(['role', 'content']);
const TEXT_KEYS = new Set(['type', 'text']);
const PREFERENCE_KEYS = new Set(['hints', 'costPriority', 'speedPriority', 'intelligencePriority']);
const HINT_KEYS = new Set(['name']);

function textBlock(block: unknown): { type: 'text'; text: string } | undefined {
  if (!plainWith(block, TEXT_KEYS) || block['type'] !== 'text' || typeof block['text'] !== 'string') return undefined;
  return { type: 'text', text: block['text'] };
}

function priority(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && value >= 0 && value <= 1);
}

/**
 * The params as the schema would return them, when they are a request of the common kind:
 * text-only messages, hints and priorities, system prompt, temperature, maxTokens, stop
 * sequences, metadata, and no key the schema would drop. Undefined for anything else (tools,
 * images, _meta...), which the schema then judges. Built in the schema's key order, as copies.
 */
function commonRequest(p: Obj): SamplingRequest | undefined {
  if (!plainWith(p, PARAMS_KEYS) || !Array.isArray(p['messages']) || !Number.isSafeInteger(p['maxTokens'])) return undefined;
  const messages: SamplingRequest['messages'] = [];
  for (const m of p['messages'] as unknown[]) {
    if (!plainWith(m, MESSAGE_KEYS) || (m['role'] !== 'user' && m['role'] !== 'assistant')) return undefined;
    const raw = m['content'];
    let content: SamplingRequest['messages'][number]['content'];
    if (Array.isArray(raw)) {
      const blocks: Array<{ type: 'text'; text: string }> = [];
      for (const b of raw as unknown[]) {
        const block = textBlock(b);
        if (!block) return undefined;
        blocks.push(block);
      }
      content = blocks;
    } else {
      const block = textBlock(raw);
      if (!block) return undefined;
      content = block;
    }
    messages.push({ role: m['role'], content } as SamplingRequest['messages'][number]);
  }
  const out: Obj = { messages };
  const prefs = p['modelPreferences'];
  if (prefs !== undefined) {
    if (!plainWith(prefs, PREFERENCE_KEYS) || !priority(prefs['costPriority']) || !priority(prefs['speedPriority']) || !priority(prefs['intelligencePriority'])) return undefined;
    const copy: Obj = {};
    if (prefs['hints'] !== undefined) {
      if (!Array.isArray(prefs['hints'])) return undefined;
      const hints: Obj[] = [];
      for (const h of prefs['hints'] as unknown[]) {
        if (!plainWith(h, HINT_KEYS) || (h['name'] !== undefined && typeof h['name'] !== 'string')) return undefined;
        hints.push(h['name'] === undefined ? {} : { name: h['name'] });
      }
      copy['hints'] = hints;
    }
    for (const key of ['costPriority', 'speedPriority', 'intelligencePriority']) if (prefs[key] !== undefined) copy[key] = prefs[key];
    out['modelPreferences'] = copy;
  }
  if (p['systemPrompt'] !== undefined) {
    if (typeof p['systemPrompt'] !== 'string') return undefined;
    out['systemPrompt'] = p['systemPrompt'];
  }
  if (p['temperature'] !== undefined) {
    if (typeof p['temperature'] !== 'number' || !Number.isFinite(p['temperature'])) return undefined;
    out['temperature'] = p['temperature'];
  }
  out['maxTokens'] = p['maxTokens'];
  if (p['stopSequences'] !== undefined) {
    if (!Array.isArray(p['stopSequences'])) return undefined;
    const stops: string[] = [];
    // for...of, not every(): a hole in the array is an undefined the schema refuses.
    for (const stop of p['stopSequences'] as unknown[]) {
      if (typeof stop !== 'string') return undefined;
      stops.push(stop);
    }
    out['stopSequences'] = stops;
  }
  // The schema keeps metadata as given (the same object), as any non-null object.
  if (p['metadata'] !== undefined) {
    if (typeof p['metadata'] !== 'object' || p['metadata'] === null) return undefined;
    out['metadata'] = p['metadata'];
  }
  return out as unknown as SamplingRequest;
}

/** Validates `params` of a sampling/createMessage; throws McpRouteError('INVALID_PARAMS') saying which field was wrong. */
export function parseSamplingRequest(params: unknown): SamplingRequest {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new McpRouteError('INVALID_PARAMS', 'mcp-route: invalid sampling/createMessage params: expected an object', {
      reason: 'INVALID_PARAMS',
    });
  }
  const common = commonRequest(params as Record<string, unknown>);
  if (common) {
    checkMaxTokens(common.maxTokens);
    return common;
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
