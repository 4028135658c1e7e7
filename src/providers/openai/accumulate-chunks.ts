// Streamed chat.completion.chunk events -> the chat.completion the non-streaming call returns,
// so one mapper (fromOpenAIResponse) serves both. Written here rather than using the SDK's
// ChatCompletionStream helper because the helper starts its request on a timer (setTimeout 0)
// and emits every event through an emitter: about a millisecond before the first token.

import { MalformedResponseError } from '../malformed-response-error.js';
import type { OpenAIChatResponse } from './from-openai-response.js';

interface ChunkToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChunk {
  model?: string;
  choices?: Array<{ index?: number; finish_reason?: string | null; delta?: { content?: string | null; refusal?: string | null; tool_calls?: ChunkToolCall[] } }>;
  usage?: OpenAIChatResponse['usage'];
}

type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

export class ChatCompletionAccumulator {
  private model: string | undefined;
  private content = '';
  private refusal = '';
  private finishReason: string | null = null;
  private usage: OpenAIChatResponse['usage'];
  private readonly toolCalls: ToolCall[] = [];

  /** Takes one chunk; returns the text it adds to the answer (empty when none). */
  add(chunk: OpenAIChunk): string {
    this.model ??= chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    let text = '';
    for (const choice of chunk.choices ?? []) {
      // mcp-route asks for one choice (n is never set); others would be a provider's bug.
      if ((choice.index ?? 0) !== 0) continue;
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (!delta) continue;
      if (typeof delta.content === 'string') text += delta.content;
      if (typeof delta.refusal === 'string') this.refusal += delta.refusal;
      for (const call of delta.tool_calls ?? []) this.addToolCall(call);
    }
    this.content += text;
    return text;
  }

  private addToolCall(part: ChunkToolCall): void {
    const index = part.index ?? this.toolCalls.length;
    const call = (this.toolCalls[index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (part.id) call.id = part.id;
    if (part.function?.name) call.function.name += part.function.name;
    if (part.function?.arguments) call.function.arguments += part.function.arguments;
  }

  /** The whole completion; a stream that ended before its finish_reason was cut short. */
  result(): OpenAIChatResponse {
    if (!this.finishReason) throw new MalformedResponseError('openai: the stream ended without a finish_reason (cut short)');
    const toolCalls = this.toolCalls.filter((c) => c !== undefined);
    const response: OpenAIChatResponse = {
      choices: [
        {
          finish_reason: this.finishReason,
          message: { content: this.content || null, refusal: this.refusal || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        },
      ],
      usage: this.usage ?? null,
    };
    // Added after the literal, not spread into its start (a new hidden class per call in V8).
    if (this.model !== undefined) response.model = this.model;
    return response;
  }
}
