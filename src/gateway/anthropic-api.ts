// The Anthropic Messages shape of the model gateway: a /v1/messages body becomes MCP
// sampling params (the requested `model` travels as the first hint), and the router's
// answer goes back as a Message or as the Messages streaming events. Pure functions.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { SamplingBlock, SamplingMessage } from '../providers/content.js';
import { GatewayInputError, hintFor, isObj, resultBlocks, servedBy, type GatewayRequest } from './shared.js';

/** Anthropic's stop_reason for MCP's stopReason. */
const STOP_REASON: Record<string, string> = { endTurn: 'end_turn', stopSequence: 'stop_sequence', maxTokens: 'max_tokens', toolUse: 'tool_use' };

export function parseMessagesRequest(body: unknown): GatewayRequest {
  if (!isObj(body)) throw new GatewayInputError('the request body must be a JSON object');
  const model = body['model'];
  if (typeof model !== 'string' || model === '') throw new GatewayInputError('`model` is required (a model id or alias the policy knows, used as a hint)');
  const maxTokens = body['max_tokens'];
  if (typeof maxTokens !== 'number') throw new GatewayInputError('`max_tokens` is required');
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) throw new GatewayInputError('`messages` must be a non-empty array');

  const messages = body['messages'].map((raw: unknown, i: number): SamplingMessage => {
    if (!isObj(raw) || (raw['role'] !== 'user' && raw['role'] !== 'assistant')) throw new GatewayInputError(`messages[${i}].role must be user or assistant`);
    const blocks = toBlocks(raw['content'], `messages[${i}].content`);
    return { role: raw['role'], content: (blocks.length === 1 ? blocks[0] : blocks) as SamplingMessage['content'] };
  });

  const params: Record<string, unknown> = { messages, maxTokens, modelPreferences: { hints: [hintFor(model)] } };
  const system = systemText(body['system']);
  if (system) params['systemPrompt'] = system;
  if (typeof body['temperature'] === 'number') params['temperature'] = body['temperature'];
  if (Array.isArray(body['stop_sequences'])) params['stopSequences'] = body['stop_sequences'];
  if (isObj(body['metadata'])) params['metadata'] = body['metadata'];
  if (Array.isArray(body['tools']) && body['tools'].length) {
    params['tools'] = body['tools'].map(toTool);
    const choice = toolChoice(body['tool_choice']);
    if (choice) params['toolChoice'] = choice;
  }
  return { params: params as unknown as CreateMessageRequestParams, stream: body['stream'] === true, includeUsage: true, requestedModel: model };
}

function systemText(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) {
    return raw
      .map((b, i) => {
        if (isObj(b) && b['type'] === 'text' && typeof b['text'] === 'string') return b['text'];
        throw new GatewayInputError(`system[${i}] must be a text block`);
      })
      .join('\n\n');
  }
  throw new GatewayInputError('`system` must be a string or an array of text blocks');
}

function toBlocks(content: unknown, where: string): SamplingBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content) || content.length === 0) throw new GatewayInputError(`${where} must be a string or a non-empty array of blocks`);
  return content.map((b, i) => toBlock(b, `${where}[${i}]`));
}

function toBlock(b: unknown, at: string): SamplingBlock {
  if (!isObj(b)) throw new GatewayInputError(`${at} must be an object`);
  switch (b['type']) {
    case 'text':
      if (typeof b['text'] !== 'string') break;
      return { type: 'text', text: b['text'] };
    case 'image': {
      const source = b['source'];
      if (!isObj(source) || source['type'] !== 'base64' || typeof source['data'] !== 'string' || typeof source['media_type'] !== 'string') {
        throw new GatewayInputError(`${at}.source must be {type: "base64", media_type, data}; mcp-route does not fetch remote images`);
      }
      return { type: 'image', mimeType: source['media_type'], data: source['data'] };
    }
    case 'tool_use':
      if (typeof b['id'] !== 'string' || typeof b['name'] !== 'string') break;
      return { type: 'tool_use', id: b['id'], name: b['name'], input: isObj(b['input']) ? b['input'] : {} };
    case 'tool_result': {
      if (typeof b['tool_use_id'] !== 'string') break;
      const inner = b['content'] === undefined ? [] : typeof b['content'] === 'string' ? [{ type: 'text', text: b['content'] }] : toBlocks(b['content'], `${at}.content`);
      return { type: 'tool_result', toolUseId: b['tool_use_id'], content: inner, ...(b['is_error'] === true ? { isError: true } : {}) } as SamplingBlock;
    }
    default:
      throw new GatewayInputError(`${at}: unsupported content block type ${JSON.stringify(b['type'])}`);
  }
  throw new GatewayInputError(`${at} is not a valid ${String(b['type'])} block`);
}

function toTool(raw: unknown, i: number): Record<string, unknown> {
  if (!isObj(raw) || typeof raw['name'] !== 'string') throw new GatewayInputError(`tools[${i}] must have a name and input_schema`);
  const schema = isObj(raw['input_schema']) ? raw['input_schema'] : { type: 'object', properties: {} };
  return { name: raw['name'], ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}), inputSchema: { type: 'object', ...schema } };
}

// MCP's toolChoice has no "this one tool"; `{type: "tool"}` becomes `required` (README: model gateway).
function toolChoice(raw: unknown): { mode: 'auto' | 'required' | 'none' } | undefined {
  if (!isObj(raw)) return undefined;
  if (raw['type'] === 'auto') return { mode: 'auto' };
  if (raw['type'] === 'none') return { mode: 'none' };
  if (raw['type'] === 'any' || raw['type'] === 'tool') return { mode: 'required' };
  return undefined;
}

// ---- answers ---------------------------------------------------------------------------

function contentOf(result: CreateMessageResult): Array<Record<string, unknown>> {
  const { text, toolUses } = resultBlocks(result);
  const content: Array<Record<string, unknown>> = [];
  if (text || toolUses.length === 0) content.push({ type: 'text', text });
  for (const t of toolUses) content.push({ type: 'tool_use', id: t.id, name: t.name, input: t.input });
  return content;
}

export function toMessage(result: CreateMessageResult, id: string): Record<string, unknown> {
  const served = servedBy(result);
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: served.model,
    content: contentOf(result),
    stop_reason: STOP_REASON[result.stopReason ?? 'endTurn'] ?? 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: served.inputTokens, output_tokens: served.outputTokens },
  };
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Builds the events of a streamed Message, in order. */
export class MessageEvents {
  private started = false;
  private textOpen = false;
  private index = 0;
  constructor(private readonly id: string) {}

  private start(model: string): SseEvent[] {
    if (this.started) return [];
    this.started = true;
    // Input tokens are only known at the end; message_delta carries the real counts.
    const message = { id: this.id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
    return [{ event: 'message_start', data: { type: 'message_start', message } }];
  }

  delta(text: string, model: string): SseEvent[] {
    const out = this.start(model);
    if (!this.textOpen) {
      this.textOpen = true;
      out.push({ event: 'content_block_start', data: { type: 'content_block_start', index: this.index, content_block: { type: 'text', text: '' } } });
    }
    out.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: this.index, delta: { type: 'text_delta', text } } });
    return out;
  }

  finish(result: CreateMessageResult, streamedText: boolean): SseEvent[] {
    const served = servedBy(result);
    const { text, toolUses } = resultBlocks(result);
    const out = this.start(served.model);
    if (!streamedText && (text || toolUses.length === 0)) out.push(...this.delta(text, served.model));
    if (this.textOpen) {
      out.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.index } });
      this.textOpen = false;
      this.index++;
    }
    for (const t of toolUses) {
      const index = this.index++;
      out.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } } });
      out.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(t.input) } } });
      out.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    }
    const stop_reason = STOP_REASON[result.stopReason ?? 'endTurn'] ?? 'end_turn';
    out.push({
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage: { input_tokens: served.inputTokens, output_tokens: served.outputTokens } },
    });
    out.push({ event: 'message_stop', data: { type: 'message_stop' } });
    return out;
  }
}

/** Anthropic's error body: `{type: "error", error: {type, message}}`. */
export function anthropicErrorBody(status: number, message: string): Record<string, unknown> {
  const type =
    status === 401
      ? 'authentication_error'
      : status === 403
        ? 'permission_error'
        : status === 404
          ? 'not_found_error'
          : status === 429
            ? 'rate_limit_error'
            : status >= 500
              ? 'api_error'
              : 'invalid_request_error';
  return { type: 'error', error: { type, message } };
}
