// Streamed replies for the fake OpenAI and Anthropic servers: the server-sent events the real
// APIs send for `stream: true`, so the official SDKs' stream helpers parse them as they would
// a vendor's. The text is split into `pieces` deltas.
import type { FakeReply } from './fake-http.js';

function split(text: string, pieces: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

export function openaiStreamReply(init: { text: string; model: string; pieces?: number; usage?: { prompt: number; completion: number } }): FakeReply {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model: init.model };
  const events: unknown[] = split(init.text, init.pieces ?? 3).map((t, i) => ({
    ...base,
    choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content: t } : { content: t }, logprobs: null, finish_reason: null }],
  }));
  events.push({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] });
  const usage = init.usage ?? { prompt: 11, completion: 7 };
  events.push({ ...base, choices: [], usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion } });
  const raw = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
  return { headers: { 'content-type': 'text/event-stream' }, raw };
}

export function anthropicStreamReply(init: { text: string; model: string; pieces?: number; usage?: { input: number; output: number } }): FakeReply {
  const usage = init.usage ?? { input: 11, output: 7 };
  const events: Array<[string, unknown]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: { id: 'msg_fake', type: 'message', role: 'assistant', model: init.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } },
      },
    ],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ...split(init.text, init.pieces ?? 3).map((t): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } }]),
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } }],
    ['message_stop', { type: 'message_stop' }],
  ];
  const raw = events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
  return { headers: { 'content-type': 'text/event-stream' }, raw };
}
