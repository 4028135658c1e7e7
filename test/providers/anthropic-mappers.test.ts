import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toAnthropicRequest } from '../../src/providers/anthropic/to-anthropic-request.js';
import { fromAnthropicResponse } from '../../src/providers/anthropic/from-anthropic-response.js';
import { mapAnthropicStopReason } from '../../src/providers/anthropic/map-anthropic-stop-reason.js';
import type { McpRouteError } from '../../src/errors.js';
import { MalformedResponseError } from '../../src/providers/malformed-response-error.js';
import { anthropicMessageBody } from '../helpers/fake-anthropic.js';
import { fullRequest, audioRequest, PNG } from './fixtures.js';

const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } };

test('maps a full conversation to the Messages API', () => {
  assert.deepEqual(toAnthropicRequest(fullRequest, { model: 'claude-x' }), {
    model: 'claude-x',
    max_tokens: 256,
    system: 'You are terse.',
    temperature: 0.2,
    stop_sequences: ['END'],
    metadata: { user_id: 'u-42' },
    tools: [
      { name: 'get_weather', description: 'Weather for a city', input_schema: fullRequest.tools![0]!.inputSchema },
      { name: 'screenshot', input_schema: { type: 'object' } },
    ],
    tool_choice: { type: 'any' },
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Look at this' }, image] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_b', name: 'screenshot', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_a', content: [{ type: 'text', text: '18C, cloudy' }] },
          { type: 'tool_result', tool_use_id: 'call_b', is_error: true, content: [{ type: 'text', text: 'partial capture' }, image] },
        ],
      },
    ],
  });
});

test('toolChoice auto and none; no metadata without user_id; tool_result goes first in the user turn', () => {
  const body = toAnthropicRequest(
    {
      maxTokens: 5,
      metadata: { other: 'x' },
      tools: [{ name: 't', inputSchema: { type: 'object' } }],
      toolChoice: { mode: 'auto' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'and then?' },
            { type: 'tool_result', toolUseId: 'c', content: [{ type: 'text', text: 'r' }] },
          ],
        },
      ],
    },
    { model: 'm' },
  );
  assert.deepEqual(body.tool_choice, { type: 'auto' });
  assert.equal(body.metadata, undefined);
  assert.deepEqual(
    body.messages[0]!.content.map((b) => b.type),
    ['tool_result', 'text'],
  );
  const tools = [{ name: 't', inputSchema: { type: 'object' as const } }];
  const none = toAnthropicRequest({ maxTokens: 5, messages: [], tools, toolChoice: { mode: 'none' } }, { model: 'm' });
  assert.deepEqual(none.tool_choice, { type: 'none' });
  assert.equal(none.tools?.length, 1);
  assert.equal(toAnthropicRequest({ maxTokens: 5, messages: [], toolChoice: { mode: 'none' } }, { model: 'm' }).tool_choice, undefined);
});

test('audio is UNSUPPORTED_CONTENT for Anthropic, as are unsupported image types', () => {
  assert.throws(
    () => toAnthropicRequest(audioRequest, { model: 'm' }),
    (e: McpRouteError) => e.code === 'UNSUPPORTED_CONTENT' && /audio/.test(e.message),
  );
  assert.throws(
    () => toAnthropicRequest({ maxTokens: 1, messages: [{ role: 'user', content: { type: 'image', data: 'x', mimeType: 'image/tiff' } }] }, { model: 'm' }),
    (e: McpRouteError) => e.code === 'UNSUPPORTED_CONTENT',
  );
});

test('maps a message with text and parallel tool_use, and cache usage, back to MCP', () => {
  const { result, usage } = fromAnthropicResponse(
    anthropicMessageBody({
      text: 'Both.',
      toolUses: [
        { id: 't1', name: 'get_weather', input: { city: 'Oslo' } },
        { id: 't2', name: 'get_weather', input: { city: 'Rome' } },
      ],
      model: 'claude-sonnet-4-5-20250929',
      usage: { input: 50, output: 9, cacheRead: 30, cacheWrite: 7 },
    }),
    'm',
  );
  assert.deepEqual(result, {
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    stopReason: 'toolUse',
    content: [
      { type: 'text', text: 'Both.' },
      { type: 'tool_use', id: 't1', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 't2', name: 'get_weather', input: { city: 'Rome' } },
    ],
  });
  assert.deepEqual(usage, { inputTokens: 50, outputTokens: 9, cacheReadTokens: 30, cacheWriteTokens: 7 });
});

test('thinking blocks are left out; a body without content is malformed', () => {
  const { result } = fromAnthropicResponse(
    {
      model: 'c',
      content: [
        { type: 'thinking', thinking: '...' },
        { type: 'text', text: 'hi' },
      ],
      stop_reason: 'end_turn',
    },
    'm',
  );
  assert.deepEqual(result.content, { type: 'text', text: 'hi' });
  assert.throws(() => fromAnthropicResponse({ type: 'message' }, 'm'), MalformedResponseError);
});

test('stop reasons map exactly, unknown ones verbatim', () => {
  assert.equal(mapAnthropicStopReason('end_turn'), 'endTurn');
  assert.equal(mapAnthropicStopReason('stop_sequence'), 'stopSequence');
  assert.equal(mapAnthropicStopReason('max_tokens'), 'maxTokens');
  assert.equal(mapAnthropicStopReason('tool_use'), 'toolUse');
  assert.equal(mapAnthropicStopReason('refusal'), 'refusal');
  assert.equal(mapAnthropicStopReason('pause_turn'), 'pause_turn');
});
