// What both API shapes of the model gateway share: the parsed request, the input error that
// becomes a 400, and reading the router's answer (its blocks and the `_meta` that says which
// model served it and what it used).

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { META_KEY } from '../providers/result-meta.js';

export interface GatewayRequest {
  /** MCP sampling params; the router validates them like any sampling request. */
  params: CreateMessageRequestParams;
  stream: boolean;
  /** OpenAI only: `stream_options.include_usage`. */
  includeUsage: boolean;
  /** The `model` the caller asked for; it travels as the first hint. */
  requestedModel: string;
}

/** A request body the gateway cannot turn into sampling params: answered 400 in the caller's shape. */
export class GatewayInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayInputError';
  }
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The caller's `model` is a hint, matched like a sampling request's hints. */
export function hintFor(model: string): { name: string } {
  return { name: model };
}

/** `data:<mime>;base64,<data>`: the only image source the gateway takes (it fetches nothing). */
export function parseDataUrl(url: string, where: string): { mimeType: string; data: string } {
  const match = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+);base64,/i.exec(url);
  if (!match) throw new GatewayInputError(`${where} must be a base64 data: URL; mcp-route does not fetch remote images`);
  return { mimeType: match[1]!.toLowerCase(), data: url.slice(match[0].length) };
}

export function parseToolArguments(raw: unknown, where: string): Record<string, unknown> {
  if (isObj(raw)) return raw;
  if (raw === undefined || raw === '') return {};
  if (typeof raw !== 'string') throw new GatewayInputError(`${where} must be a JSON string`);
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObj(parsed) ? parsed : { value: parsed };
  } catch {
    throw new GatewayInputError(`${where} is not valid JSON`);
  }
}

export interface ServedBy {
  provider: string;
  /** The catalogue id of the model that answered. */
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export function servedBy(result: CreateMessageResult): ServedBy {
  const meta = (result._meta?.[META_KEY] ?? {}) as { provider?: string; model?: string; usage?: { inputTokens?: number; outputTokens?: number } };
  return {
    provider: meta.provider ?? 'unknown',
    model: meta.model ?? result.model,
    inputTokens: meta.usage?.inputTokens ?? 0,
    outputTokens: meta.usage?.outputTokens ?? 0,
  };
}

export interface ToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** The answer's text (blocks joined) and its tool calls. */
export function resultBlocks(result: CreateMessageResult): { text: string; toolUses: ToolUse[] } {
  const blocks = (Array.isArray(result.content) ? result.content : [result.content]) as Array<{ type: string; text?: string; id?: string; name?: string; input?: Record<string, unknown> }>;
  const text = blocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('');
  const toolUses = blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id ?? '', name: b.name ?? '', input: b.input ?? {} }));
  return { text, toolUses };
}
