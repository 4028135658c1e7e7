import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toOpenAIRequest } from '../../src/providers/openai/to-openai-request.js';
import { fromOpenAIResponse } from '../../src/providers/openai/from-openai-response.js';
import { mapOpenAIFinishReason } from '../../src/providers/openai/map-openai-finish-reason.js';
import type { McpRouteError } from '../../src/errors.js';
import { MalformedResponseError } from '../../src/providers/malformed-response-error.js';
import { openaiCompletionBody } from '../helpers/fake-openai.js';
import { fullRequest, audioRequest, PNG, WAV } from './fixtures.js';

test('maps a full conversation to Chat Completions', () => {
  const body = toOpenAIRequest(fullRequest, { model: 'gpt-x' });
  assert.deepEqual(body, {
    model: 'gpt-x',
    messages: [
      { role: 'system', content: 'You are terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look at this' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'screenshot', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '18C, cloudy' },
      { role: 'tool', tool_call_id: 'call_b', content: '[tool error] partial capture\n[image image/png, 9 bytes] (attached in the next user message)' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ],
    max_completion_tokens: 256,
    temperature: 0.2,
    stop: ['END'],
    tools: [
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: fullRequest.tools![0]!.inputSchema } },
      { type: 'function', function: { name: 'screenshot', parameters: { type: 'object' } } },
    ],
    tool_choice: 'required',
  });
});

test('metadata is sent only with storeMetadata, and then with store: true', () => {
  assert.equal(toOpenAIRequest(fullRequest, { model: 'm' }).metadata, undefined);
  const stored = toOpenAIRequest(fullRequest, { model: 'm', storeMetadata: true });
  assert.deepEqual(stored.metadata, { user_id: 'u-42', trace: 'abc' });
  assert.equal(stored.store, true);
});

test('max_tokens instead of max_completion_tokens when asked', () => {
  const body = toOpenAIRequest(audioRequest, { model: 'm', maxTokensParam: 'max_tokens' });
  assert.equal(body.max_tokens, 50);
  assert.equal(body.max_completion_tokens, undefined);
});

test('a single text block becomes a plain string; toolChoice auto and none map through', () => {
  const body = toOpenAIRequest(
    { maxTokens: 5, messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], tools: [{ name: 't', inputSchema: { type: 'object' } }], toolChoice: { mode: 'auto' } },
    { model: 'm' },
  );
  assert.deepEqual(body.messages, [{ role: 'user', content: 'hi' }]);
  assert.equal(body.tool_choice, 'auto');
  const tools = [{ name: 't', inputSchema: { type: 'object' as const } }];
  assert.equal(toOpenAIRequest({ maxTokens: 5, messages: [], tools, toolChoice: { mode: 'none' } }, { model: 'm' }).tool_choice, 'none');
  // OpenAI rejects tool_choice without tools (400 "only allowed when 'tools' are specified").
  assert.equal(toOpenAIRequest({ maxTokens: 5, messages: [], toolChoice: { mode: 'none' } }, { model: 'm' }).tool_choice, undefined);
});

test('wav and mp3 audio become input_audio; other audio is UNSUPPORTED_CONTENT', () => {
  const body = toOpenAIRequest(audioRequest, { model: 'm' });
  assert.deepEqual(body.messages[0], { role: 'user', content: [{ type: 'input_audio', input_audio: { data: WAV, format: 'wav' } }] });
  const mp3 = toOpenAIRequest({ maxTokens: 1, messages: [{ role: 'user', content: { type: 'audio', data: 'x', mimeType: 'audio/mpeg' } }] }, { model: 'm' });
  assert.deepEqual(mp3.messages[0], { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'mp3' } }] });
  assert.throws(
    () => toOpenAIRequest({ maxTokens: 1, messages: [{ role: 'user', content: { type: 'audio', data: 'x', mimeType: 'audio/ogg' } }] }, { model: 'm' }),
    (e: McpRouteError) => e.code === 'UNSUPPORTED_CONTENT' && /audio\/ogg/.test(e.message),
  );
});

test('tool results render resources and structuredContent as text', () => {
  const body = toOpenAIRequest(
    {
      maxTokens: 1,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              toolUseId: 'c1',
              content: [
                { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'hello' } },
                { type: 'resource_link', uri: 'file:///b', name: 'b' },
              ],
            },
            { type: 'tool_result', toolUseId: 'c2', content: [], structuredContent: { ok: true } },
          ],
        },
      ],
    },
    { model: 'm' },
  );
  assert.deepEqual(body.messages, [
    { role: 'tool', tool_call_id: 'c1', content: '[resource file:///a.txt (text/plain)]\nhello\n[resource link: b file:///b]' },
    { role: 'tool', tool_call_id: 'c2', content: '{"ok":true}' },
  ]);
});

test('maps a completion with text, parallel tool calls and cached usage back to MCP', () => {
  const { result, usage } = fromOpenAIResponse(
    openaiCompletionBody({
      text: 'Calling.',
      toolCalls: [
        { id: 'c1', name: 'get_weather', arguments: { city: 'Oslo' } },
        { id: 'c2', name: 'get_weather', arguments: { city: 'Rome' } },
      ],
      model: 'gpt-4o-2024-08-06',
      usage: { prompt: 100, completion: 20, cached: 64 },
    }),
    'fallback',
  );
  assert.deepEqual(result, {
    role: 'assistant',
    model: 'gpt-4o-2024-08-06',
    stopReason: 'toolUse',
    content: [
      { type: 'text', text: 'Calling.' },
      { type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'c2', name: 'get_weather', input: { city: 'Rome' } },
    ],
  });
  assert.deepEqual(usage, { inputTokens: 100, outputTokens: 20, cacheReadTokens: 64 });
});

test('broken tool-call JSON keeps the raw arguments in _meta', () => {
  const { result } = fromOpenAIResponse(openaiCompletionBody({ toolCalls: [{ id: 'c', name: 't', arguments: '{oops' }] }), 'm');
  assert.deepEqual(result.content, { type: 'tool_use', id: 'c', name: 't', input: {}, _meta: { 'mcp-route': { rawArguments: '{oops' } } });
});

test('a body without choices is a MalformedResponseError', () => {
  assert.throws(() => fromOpenAIResponse({ id: 'x', choices: [] }, 'm'), MalformedResponseError);
  assert.throws(() => fromOpenAIResponse('nope', 'm'), MalformedResponseError);
});

test('finish reasons map exactly, unknown ones verbatim', () => {
  assert.equal(mapOpenAIFinishReason('stop'), 'endTurn');
  assert.equal(mapOpenAIFinishReason('length'), 'maxTokens');
  assert.equal(mapOpenAIFinishReason('tool_calls'), 'toolUse');
  assert.equal(mapOpenAIFinishReason('content_filter'), 'content_filter');
  assert.equal(mapOpenAIFinishReason(null), undefined);
});
