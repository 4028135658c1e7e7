// Streamed Messages events -> the Message the non-streaming call returns, so one mapper
// (fromAnthropicResponse) serves both. Written here rather than using the SDK's MessageStream
// helper because the helper starts its request on a timer (setTimeout 0) and emits every
// event through an emitter: about a millisecond before the first token.

import { MalformedResponseError } from '../malformed-response-error.js';
import type { AnthropicMessageResponse } from './from-anthropic-response.js';

type Block = { type: string; text?: string; id?: string; name?: string; input?: unknown; json?: string };

export interface AnthropicStreamEvent {
  type: string;
  index?: number;
  message?: AnthropicMessageResponse;
  content_block?: Block;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: NonNullable<AnthropicMessageResponse['usage']>;
}

export class MessageAccumulator {
  private message: (AnthropicMessageResponse & { content: Block[] }) | undefined;
  private stopped = false;

  /** Takes one event; returns the text it adds to the answer (empty when none). */
  add(event: AnthropicStreamEvent): string {
    if (event.type === 'message_start' && event.message) {
      this.message = { ...event.message, content: [], usage: { ...event.message.usage } };
      return '';
    }
    const message = this.message;
    if (!message) return '';
    const block = event.index !== undefined ? message.content[event.index] : undefined;
    switch (event.type) {
      case 'content_block_start':
        if (event.content_block && event.index !== undefined) message.content[event.index] = { ...event.content_block };
        return '';
      case 'content_block_delta':
        if (block && event.delta?.type === 'text_delta' && typeof event.delta.text === 'string') {
          block.text = (block.text ?? '') + event.delta.text;
          return event.delta.text;
        }
        if (block && event.delta?.type === 'input_json_delta') block.json = (block.json ?? '') + (event.delta.partial_json ?? '');
        return '';
      case 'content_block_stop':
        if (block?.json !== undefined) block.input = parseToolInput(block.json);
        return '';
      case 'message_delta':
        if (event.delta?.stop_reason !== undefined) message.stop_reason = event.delta.stop_reason;
        // Usage counters in message_delta are whole-message totals: overwrite, never add.
        for (const [key, value] of Object.entries(event.usage ?? {})) if (value != null) (message.usage as Record<string, unknown>)[key] = value;
        return '';
      case 'message_stop':
        this.stopped = true;
        return '';
      default:
        return '';
    }
  }

  /** The whole message; a stream without message_stop was cut short. */
  result(): AnthropicMessageResponse {
    if (!this.message || !this.stopped) throw new MalformedResponseError('anthropic: the stream ended before message_stop (cut short)');
    return { ...this.message, content: this.message.content.filter((b) => b !== undefined) };
  }
}

function parseToolInput(json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}
