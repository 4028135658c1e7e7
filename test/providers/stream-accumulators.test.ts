// Streamed chunks and events add up to the answer the non-streaming call returns (text, tool
// calls whose arguments arrive in pieces, usage), and a stream cut short is an error rather
// than a partial answer passed off as whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatCompletionAccumulator } from '../../src/providers/openai/accumulate-chunks.js';
import { MessageAccumulator } from '../../src/providers/anthropic/accumulate-events.js';
import { fromOpenAIResponse } from '../../src/providers/openai/from-openai-response.js';
import { fromAnthropicResponse } from '../../src/providers/anthropic/from-anthropic-response.js';
import { MalformedResponseError } from '../../src/providers/malformed-response-error.js';

test('openai chunks: text deltas come back one by one, tool call pieces join, usage is kept', () => {
  const acc = new ChatCompletionAccumulator();
  const texts = [
    acc.add({ model: 'gpt-s', choices: [{ index: 0, delta: { content: 'Let me ' } }] }),
    acc.add({ choices: [{ index: 0, delta: { content: 'look.' } }] }),
    acc.add({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'get_', arguments: '{"ci' } }] } }] }),
    acc.add({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'weather', arguments: 'ty":"Oslo"}' } }] } }] }),
    acc.add({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
    acc.add({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 4 } }),
  ];
  assert.deepEqual(texts, ['Let me ', 'look.', '', '', '', '']);
  const { result, usage } = fromOpenAIResponse(acc.result(), 'fallback');
  assert.deepEqual(result.content, [
    { type: 'text', text: 'Let me look.' },
    { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } },
  ]);
  assert.equal(result.model, 'gpt-s');
  assert.equal(result.stopReason, 'toolUse');
  assert.deepEqual(usage, { inputTokens: 9, outputTokens: 4 });

  const cut = new ChatCompletionAccumulator();
  cut.add({ choices: [{ index: 0, delta: { content: 'partial' } }] });
  assert.throws(() => cut.result(), MalformedResponseError);
});

test('anthropic events: text deltas come back one by one, tool input JSON joins, final usage wins', () => {
  const acc = new MessageAccumulator();
  const events = [
    { type: 'message_start', message: { model: 'claude-s', content: [], usage: { input_tokens: 12, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Check' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ing.' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'tu_1', name: 'get_weather', input: {} } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Oslo"}' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } },
    { type: 'message_stop' },
  ];
  const texts = events.map((e) => acc.add(e));
  assert.deepEqual(texts.filter(Boolean), ['Check', 'ing.']);
  const { result, usage } = fromAnthropicResponse(acc.result(), 'fallback');
  assert.deepEqual(result.content, [
    { type: 'text', text: 'Checking.' },
    { type: 'tool_use', id: 'tu_1', name: 'get_weather', input: { city: 'Oslo' } },
  ]);
  assert.equal(result.model, 'claude-s');
  assert.equal(result.stopReason, 'toolUse');
  assert.deepEqual(usage, { inputTokens: 12, outputTokens: 20 });

  const cut = new MessageAccumulator();
  for (const e of events.slice(0, 4)) cut.add(e);
  assert.throws(() => cut.result(), MalformedResponseError);
});
