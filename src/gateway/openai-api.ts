// The OpenAI Chat Completions shape of the model gateway: a request body becomes the MCP
// sampling params the router already understands (the requested `model` travels as the first
// hint), and the router's answer goes back as a chat.completion or as chat.completion.chunk
// events. Pure functions; gateway-server.ts does the HTTP.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { asBlocks, type SamplingBlock, type SamplingMessage } from '../providers/content.js';
import { GatewayInputError, hintFor, isObj, parseDataUrl, parseToolArguments, resultBlocks, servedBy, type GatewayRequest, type ServedBy } from './shared.js';

/** OpenAI's finish_reason for MCP's stopReason. */
const FINISH_REASON: Record<string, string> = { endTurn: 'stop', stopSequence: 'stop', maxTokens: 'length', toolUse: 'tool_calls' };

export function parseChatCompletionRequest(body: unknown, defaultMaxTokens: number): GatewayRequest {
  if (!isObj(body)) throw new GatewayInputError('the request body must be a JSON object');
  const model = body['model'];
  if (typeof model !== 'string' || model === '') throw new GatewayInputError('`model` is required (a model id or alias the policy knows, used as a hint)');
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) throw new GatewayInputError('`messages` must be a non-empty array');
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw new GatewayInputError('`n` other than 1 is not supported by mcp-route');

  const system: string[] = [];
  const messages: SamplingMessage[] = [];
  body['messages'].forEach((raw: unknown, i: number) => {
    if (!isObj(raw)) throw new GatewayInputError(`messages[${i}] must be an object`);
    const role = raw['role'];
    if (role === 'system' || role === 'developer') system.push(textOf(raw['content'], `messages[${i}].content`));
    else if (role === 'user') push(messages, 'user', userBlocks(raw['content'], `messages[${i}].content`));
    else if (role === 'assistant') push(messages, 'assistant', assistantBlocks(raw, i));
    else if (role === 'tool') push(messages, 'user', [toolResult(raw, i)], true);
    else throw new GatewayInputError(`messages[${i}].role must be system, developer, user, assistant or tool`);
  });

  const maxTokens = firstNumber(body['max_completion_tokens'], body['max_tokens']) ?? defaultMaxTokens;
  const params: Record<string, unknown> = { messages, maxTokens, modelPreferences: { hints: [hintFor(model)] } };
  if (system.length) params['systemPrompt'] = system.join('\n\n');
  if (typeof body['temperature'] === 'number') params['temperature'] = body['temperature'];
  const stop = body['stop'];
  if (typeof stop === 'string') params['stopSequences'] = [stop];
  else if (Array.isArray(stop)) params['stopSequences'] = stop;
  if (isObj(body['metadata'])) params['metadata'] = body['metadata'];
  if (Array.isArray(body['tools']) && body['tools'].length) {
    params['tools'] = body['tools'].map(toTool);
    const choice = toolChoice(body['tool_choice']);
    if (choice) params['toolChoice'] = choice;
  }
  const streamOptions = isObj(body['stream_options']) ? body['stream_options'] : {};
  return {
    params: params as unknown as CreateMessageRequestParams,
    stream: body['stream'] === true,
    includeUsage: streamOptions['include_usage'] === true,
    requestedModel: model,
  };
}

/** Consecutive tool results share one user message, as the MCP spec asks for parallel calls. */
function push(messages: SamplingMessage[], role: 'user' | 'assistant', blocks: SamplingBlock[], toolResults = false): void {
  const last = messages[messages.length - 1];
  if (toolResults && last?.role === 'user' && asBlocks(last.content).every((b) => b.type === 'tool_result')) {
    last.content = [...asBlocks(last.content), ...blocks] as SamplingMessage['content'];
    return;
  }
  messages.push({ role, content: (blocks.length === 1 ? blocks[0] : blocks) as SamplingMessage['content'] });
}

function textOf(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p, i) => {
        if (isObj(p) && p['type'] === 'text' && typeof p['text'] === 'string') return p['text'];
        throw new GatewayInputError(`${where}[${i}] must be a text part here`);
      })
      .join('\n');
  }
  throw new GatewayInputError(`${where} must be a string or an array of text parts`);
}

function userBlocks(content: unknown, where: string): SamplingBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content) || content.length === 0) throw new GatewayInputError(`${where} must be a string or a non-empty array of parts`);
  return content.map((part, i): SamplingBlock => {
    const at = `${where}[${i}]`;
    if (!isObj(part)) throw new GatewayInputError(`${at} must be an object`);
    if (part['type'] === 'text' && typeof part['text'] === 'string') return { type: 'text', text: part['text'] };
    if (part['type'] === 'image_url' && isObj(part['image_url']) && typeof part['image_url']['url'] === 'string') {
      const { mimeType, data } = parseDataUrl(part['image_url']['url'], `${at}.image_url.url`);
      return { type: 'image', mimeType, data };
    }
    if (part['type'] === 'input_audio' && isObj(part['input_audio']) && typeof part['input_audio']['data'] === 'string') {
      const format = part['input_audio']['format'] === 'mp3' ? 'audio/mpeg' : 'audio/wav';
      return { type: 'audio', mimeType: format, data: part['input_audio']['data'] };
    }
    throw new GatewayInputError(`${at}: unsupported content part type ${JSON.stringify(part['type'])}`);
  });
}

function assistantBlocks(raw: Record<string, unknown>, i: number): SamplingBlock[] {
  const blocks: SamplingBlock[] = [];
  const content = raw['content'];
  if (content !== null && content !== undefined) {
    const text = textOf(content, `messages[${i}].content`);
    if (text) blocks.push({ type: 'text', text });
  }
  const calls = raw['tool_calls'];
  if (Array.isArray(calls)) {
    calls.forEach((call: unknown, j: number) => {
      const at = `messages[${i}].tool_calls[${j}]`;
      if (!isObj(call) || !isObj(call['function']) || typeof call['id'] !== 'string' || typeof call['function']['name'] !== 'string') {
        throw new GatewayInputError(`${at} must have an id and function.name`);
      }
      const input = parseToolArguments(call['function']['arguments'], `${at}.function.arguments`);
      blocks.push({ type: 'tool_use', id: call['id'], name: call['function']['name'], input });
    });
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
  return blocks;
}

function toolResult(raw: Record<string, unknown>, i: number): SamplingBlock {
  if (typeof raw['tool_call_id'] !== 'string') throw new GatewayInputError(`messages[${i}].tool_call_id is required for a tool message`);
  const text = textOf(raw['content'] ?? '', `messages[${i}].content`);
  return { type: 'tool_result', toolUseId: raw['tool_call_id'], content: [{ type: 'text', text }] } as SamplingBlock;
}

function toTool(raw: unknown, i: number): Record<string, unknown> {
  if (!isObj(raw) || raw['type'] !== 'function' || !isObj(raw['function']) || typeof raw['function']['name'] !== 'string') {
    throw new GatewayInputError(`tools[${i}] must be {type: "function", function: {name, parameters}}`);
  }
  const fn = raw['function'];
  const schema = isObj(fn['parameters']) ? fn['parameters'] : { type: 'object', properties: {} };
  return { name: fn['name'], ...(typeof fn['description'] === 'string' ? { description: fn['description'] } : {}), inputSchema: { type: 'object', ...schema } };
}

// MCP's toolChoice has no "this one tool"; a named function becomes `required`, which keeps
// the caller's intent that a tool must be called (README: model gateway).
function toolChoice(raw: unknown): { mode: 'auto' | 'required' | 'none' } | undefined {
  if (raw === 'auto' || raw === 'required' || raw === 'none') return { mode: raw };
  if (isObj(raw) && raw['type'] === 'function') return { mode: 'required' };
  return undefined;
}

function firstNumber(...values: unknown[]): number | undefined {
  for (const v of values) if (typeof v === 'number') return v;
  return undefined;
}

// ---- answers ---------------------------------------------------------------------------

export function toChatCompletion(result: CreateMessageResult, id: string, created: number): Record<string, unknown> {
  const served = servedBy(result);
  const { text, toolUses } = resultBlocks(result);
  const toolCalls = toolUses.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) } }));
  return {
    id,
    object: 'chat.completion',
    created,
    model: served.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text || (toolCalls.length ? null : ''), refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: FINISH_REASON[result.stopReason ?? 'endTurn'] ?? 'stop',
      },
    ],
    usage: usageOf(served),
  };
}

function usageOf(served: ServedBy): Record<string, number> {
  return { prompt_tokens: served.inputTokens, completion_tokens: served.outputTokens, total_tokens: served.inputTokens + served.outputTokens };
}

/** Builds the `data:` payloads of a streamed answer, in order. */
export class ChatCompletionChunks {
  private started = false;
  /** The text every chunk of `headModel` starts with, up to its delta. */
  private head = '';
  private headModel: string | undefined;
  constructor(
    private readonly id: string,
    private readonly created: number,
    private readonly includeUsage: boolean,
  ) {}

  // The same text as JSON.stringify of {id, object, created, model, choices: [{index, delta,
  // logprobs, finish_reason}]}, with all but the delta serialised once per stream: each token
  // of a stream otherwise stringified five objects, four of them the same every time.
  private chunk(model: string, delta: Record<string, unknown>, finish: string | null = null): string {
    if (model !== this.headModel) {
      this.headModel = model;
      this.head = `{"id":${JSON.stringify(this.id)},"object":"chat.completion.chunk","created":${JSON.stringify(this.created)},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
    }
    return `${this.head}${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]}`;
  }

  /** The chunks for one text delta (the first also carries the role, as OpenAI's does). */
  delta(text: string, model: string): string[] {
    if (this.started) return [this.chunk(model, { content: text })];
    this.started = true;
    return [this.chunk(model, { role: 'assistant', content: text })];
  }

  /** What follows the last delta: text not streamed yet, tool calls, the finish reason, usage, [DONE]. */
  finish(result: CreateMessageResult, streamedText: boolean): string[] {
    const served = servedBy(result);
    const { text, toolUses } = resultBlocks(result);
    const out: string[] = [];
    if (!streamedText && (text || !this.started)) out.push(...this.delta(text, served.model));
    if (!this.started) out.push(...this.delta('', served.model));
    if (toolUses.length) {
      const toolCalls = toolUses.map((t, index) => ({ index, id: t.id, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) } }));
      out.push(this.chunk(served.model, { tool_calls: toolCalls }));
    }
    out.push(this.chunk(served.model, {}, FINISH_REASON[result.stopReason ?? 'endTurn'] ?? 'stop'));
    if (this.includeUsage) out.push(JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: served.model, choices: [], usage: usageOf(served) }));
    out.push('[DONE]');
    return out;
  }
}

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
export function openAIErrorBody(status: number, message: string): Record<string, unknown> {
  const [type, code] =
    status === 401
      ? ['invalid_request_error', 'invalid_api_key']
      : status === 403
        ? ['permission_denied', 'policy_refused']
        : status === 429
          ? ['rate_limit_exceeded', 'budget_exceeded']
          : status >= 500
            ? ['api_error', 'upstream_failed']
            : ['invalid_request_error', null];
  return { error: { message, type, param: null, code } };
}
