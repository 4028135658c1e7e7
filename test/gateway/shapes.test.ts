// The gateway's pure conversions: caller bodies -> MCP sampling params, router answers ->
// the caller's API shape (whole and streamed), on fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { parseChatCompletionRequest, toChatCompletion, ChatCompletionChunks } from '../../src/gateway/openai-api.js';
import { parseMessagesRequest, toMessage, MessageEvents } from '../../src/gateway/anthropic-api.js';
import { GatewayInputError } from '../../src/gateway/shared.js';
import { gatewayApis } from '../../src/gateway/apis.js';

const answer = (content: unknown, stopReason = 'endTurn'): CreateMessageResult =>
  ({ role: 'assistant', content, model: 'vendor-model', stopReason, _meta: { 'mcp-route': { provider: 'p', model: 'served-id', usage: { inputTokens: 9, outputTokens: 3 } } } }) as CreateMessageResult;

test('an OpenAI chat request becomes sampling params: system, images, tool calls and results, the model as the first hint', () => {
  const { params, stream, includeUsage } = parseChatCompletionRequest(
    {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'c2', type: 'function', function: { name: 'g', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'one' },
        { role: 'tool', tool_call_id: 'c2', content: 'two' },
      ],
      max_completion_tokens: 99,
      temperature: 0.5,
      stop: 'END',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'number' } } } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      stream: true,
      stream_options: { include_usage: true },
    },
    4096,
  );
  assert.equal(stream, true);
  assert.equal(includeUsage, true);
  assert.equal(params.systemPrompt, 'sys\n\ndev');
  assert.equal(params.maxTokens, 99);
  assert.deepEqual(params.stopSequences, ['END']);
  assert.deepEqual(params.modelPreferences, { hints: [{ name: 'gpt-4o-mini' }] });
  assert.deepEqual(params.messages[0]!.content, [
    { type: 'text', text: 'look' },
    { type: 'image', mimeType: 'image/png', data: 'AAAA' },
  ]);
  assert.deepEqual(params.messages[1]!.content, [
    { type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } },
    { type: 'tool_use', id: 'c2', name: 'g', input: {} },
  ]);
  // Parallel tool results share one user message.
  assert.equal(params.messages.length, 3);
  assert.deepEqual(params.messages[2]!.content, [
    { type: 'tool_result', toolUseId: 'c1', content: [{ type: 'text', text: 'one' }] },
    { type: 'tool_result', toolUseId: 'c2', content: [{ type: 'text', text: 'two' }] },
  ]);
  assert.deepEqual((params as any).toolChoice, { mode: 'required' });
  assert.equal((params as any).tools[0].inputSchema.type, 'object');
});

test('OpenAI requests the gateway cannot serve are input errors that say why', () => {
  const bad = (body: unknown) => assert.throws(() => parseChatCompletionRequest(body, 10), GatewayInputError);
  bad([]);
  bad({ messages: [{ role: 'user', content: 'x' }] });
  bad({ model: 'm', messages: [] });
  bad({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 });
  bad({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] });
  assert.throws(
    () => parseChatCompletionRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 10),
    /does not fetch remote images/,
  );
  assert.equal(parseChatCompletionRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, 10).params.maxTokens, 10);
});

test('an Anthropic messages request becomes sampling params', () => {
  const { params, stream } = parseMessagesRequest({
    model: 'haiku',
    max_tokens: 50,
    system: [{ type: 'text', text: 'sys' }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'BBBB' } },
          { type: 'text', text: 'see' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { q: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'done', is_error: true }] },
    ],
    stop_sequences: ['X'],
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
    tool_choice: { type: 'any' },
  });
  assert.equal(stream, false);
  assert.equal(params.systemPrompt, 'sys');
  assert.equal(params.maxTokens, 50);
  assert.deepEqual(params.messages[0]!.content, [
    { type: 'image', mimeType: 'image/jpeg', data: 'BBBB' },
    { type: 'text', text: 'see' },
  ]);
  assert.deepEqual(params.messages[1]!.content, { type: 'tool_use', id: 't1', name: 'f', input: { q: 1 } });
  assert.deepEqual(params.messages[2]!.content, { type: 'tool_result', toolUseId: 't1', content: [{ type: 'text', text: 'done' }], isError: true });
  assert.deepEqual((params as any).toolChoice, { mode: 'required' });
  assert.throws(() => parseMessagesRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), /max_tokens/);
  assert.throws(() => parseMessagesRequest({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'document' }] }] }), /unsupported content block type "document"/);
});

test('answers come back in the caller shape with the served model id and usage', () => {
  const withTool = answer(
    [
      { type: 'text', text: 'hi' },
      { type: 'tool_use', id: 'c9', name: 'f', input: { a: 2 } },
    ],
    'toolUse',
  );
  const completion = toChatCompletion(withTool, 'chatcmpl-1', 5) as any;
  assert.equal(completion.model, 'served-id');
  assert.equal(completion.choices[0].finish_reason, 'tool_calls');
  assert.deepEqual(completion.choices[0].message.tool_calls, [{ id: 'c9', type: 'function', function: { name: 'f', arguments: '{"a":2}' } }]);
  assert.deepEqual(completion.usage, { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
  const message = toMessage(answer({ type: 'text', text: 'yo' }, 'maxTokens'), 'msg_1') as any;
  assert.equal(message.stop_reason, 'max_tokens');
  assert.deepEqual(message.content, [{ type: 'text', text: 'yo' }]);
  assert.deepEqual(message.usage, { input_tokens: 9, output_tokens: 3 });
});

test('streamed answers: deltas first, then what was not streamed, finish and usage', () => {
  const chunks = new ChatCompletionChunks('id', 1, true);
  const first = JSON.parse(chunks.delta('He', 'served-id')[0]!);
  assert.deepEqual(first.choices[0].delta, { role: 'assistant', content: 'He' });
  const rest = chunks.finish(answer({ type: 'text', text: 'Hello' }), true);
  assert.equal(rest.at(-1), '[DONE]');
  const parsed = rest.slice(0, -1).map((p) => JSON.parse(p));
  assert.equal(parsed[0].choices[0].finish_reason, 'stop');
  assert.deepEqual(parsed[1].usage, { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });

  // A provider that does not stream: the whole text arrives once, at the end.
  const events = new MessageEvents('msg');
  const names = events.finish(answer({ type: 'text', text: 'whole' }), false);
  assert.deepEqual(
    names.map((e) => e.event),
    ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
  );
  assert.equal((names[2]!.data as any).delta.text, 'whole');
});

test('a streamed chunk is the JSON of its object, whatever the model, delta and finish reason', () => {
  const chunks = new ChatCompletionChunks('chatcmpl-"x"\u2028', 1700000000, false);
  const object = (model: string, delta: Record<string, unknown>, finish: string | null) =>
    JSON.stringify({ id: 'chatcmpl-"x"\u2028', object: 'chat.completion.chunk', created: 1700000000, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  assert.deepEqual(chunks.delta('He said "hi"\n', 'gpt-a'), [object('gpt-a', { role: 'assistant', content: 'He said "hi"\n' }, null)]);
  assert.deepEqual(chunks.delta('more', 'gpt-a'), [object('gpt-a', { content: 'more' }, null)]);
  // Another model mid-stream (a fallback) is named in the chunks after it.
  assert.deepEqual(chunks.delta('x', 'gpt-"b"'), [object('gpt-"b"', { content: 'x' }, null)]);
  const rest = chunks.finish(answer({ type: 'text', text: 'done' }, 'maxTokens'), true);
  // The finish names the model that served the answer (its _meta).
  assert.equal(rest[0], object('served-id', {}, 'length'));
});

test('gateway endpoints default to on exactly for a vendor whose key is stripped from the server', () => {
  assert.deepEqual(gatewayApis(undefined, ['OPENAI_API_KEY']), { openai: true, anthropic: false });
  assert.deepEqual(gatewayApis({ openai: false }, ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']), { openai: false, anthropic: true });
  assert.deepEqual(gatewayApis({ anthropic: true }, []), { openai: false, anthropic: true });
});
