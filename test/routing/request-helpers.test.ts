import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSamplingRequest, parseSamplingRequestOrMessage } from '../../src/routing/validate-request.js';
import { estimatePromptTokens, IMAGE_TOKENS, AUDIO_TOKENS, MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS } from '../../src/routing/estimate.js';
import { boundTokens } from '../../src/routing/tokenizers.js';
import { costUsd } from '../../src/routing/cost.js';
import { compileGlob } from '../../src/routing/glob.js';
import { CreateMessageRequestParamsSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError } from '../../src/errors.js';
import type { SamplingRequest } from '../../src/routing/types.js';

const valid = { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10 };

function invalid(params: unknown): McpRouteError {
  try {
    parseSamplingRequest(params);
  } catch (err) {
    assert.ok(err instanceof McpRouteError);
    assert.equal(err.code, 'INVALID_PARAMS');
    return err;
  }
  assert.fail('expected INVALID_PARAMS');
}

describe('parseSamplingRequest', () => {
  it('returns valid params, with array content and tools', () => {
    assert.deepEqual(parseSamplingRequest(valid), valid);
    const withTools = {
      ...valid,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image', data: 'aGk=', mimeType: 'image/png' },
          ],
        },
      ],
      tools: [{ name: 't', inputSchema: { type: 'object' } }],
      toolChoice: { mode: 'required' },
    };
    assert.equal(parseSamplingRequest(withTools).tools?.length, 1);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', 'hello', /params: expected an object/],
    ['missing messages and maxTokens', {}, /messages: .*expected array.*; maxTokens: .*expected number/],
    ['a wrong content type names the field', { ...valid, messages: [{ role: 'user', content: { type: 'txt', text: 'x' } }] }, /messages\[0\]\.content\.type: /],
    ['a wrong role', { ...valid, messages: [{ role: 'system', content: { type: 'text', text: 'x' } }] }, /messages\[0\]\.role: /],
    [
      'a wrong field inside an array content block',
      {
        ...valid,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'text', text: 5 },
            ],
          },
        ],
      },
      /messages\[0\]\.content\[1\]\.text: .*expected string/,
    ],
    ['a fractional maxTokens', { ...valid, maxTokens: 1.5 }, /maxTokens: .*int/],
    ['a priority above 1', { ...valid, modelPreferences: { costPriority: 2 } }, /modelPreferences\.costPriority: /],
  ];
  for (const [name, params, re] of cases) {
    it(`rejects ${name}`, () => {
      const err = invalid(params);
      assert.match(err.message, /^mcp-route: invalid sampling\/createMessage params: /);
      assert.match(err.message, re);
    });
  }

  it('accepts a whole JSON-RPC request and refuses other methods', () => {
    assert.deepEqual(parseSamplingRequestOrMessage({ jsonrpc: '2.0', id: 1, method: 'sampling/createMessage', params: valid }), valid);
    assert.deepEqual(parseSamplingRequestOrMessage(valid), valid);
    // A 2026 inputRequests entry ({method, params}, no jsonrpc) is read like a message.
    assert.deepEqual(parseSamplingRequestOrMessage({ method: 'sampling/createMessage', params: valid }), valid);
    assert.throws(() => parseSamplingRequestOrMessage({ method: 'elicitation/create', params: {} }), /expected a sampling\/createMessage request, got method "elicitation\/create"/);
    assert.throws(() => parseSamplingRequestOrMessage({ jsonrpc: '2.0', id: 1, method: 'ping' }), /got method "ping"/);
  });
});

describe('estimatePromptTokens', () => {
  it('counts text with the bound, plus per-request and per-message overhead, images, audio, system prompt and tool schemas', () => {
    const base = estimatePromptTokens(valid as SamplingRequest);
    assert.equal(base, boundTokens('hi') + REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS);
    const rich = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x'.repeat(400) },
            { type: 'image', data: 'aGk=', mimeType: 'image/png' },
            { type: 'audio', data: 'aGk=', mimeType: 'audio/wav' },
          ],
        },
        { role: 'assistant', content: { type: 'text', text: 'y'.repeat(40) } },
      ],
      systemPrompt: 'z'.repeat(80),
      maxTokens: 10,
    } as unknown as SamplingRequest;
    const text = boundTokens('x'.repeat(400)) + boundTokens('y'.repeat(40)) + boundTokens('z'.repeat(80));
    // An image whose size cannot be read counts as the largest any formula gives.
    assert.equal(estimatePromptTokens(rich), text + REQUEST_OVERHEAD_TOKENS + 3 * MESSAGE_OVERHEAD_TOKENS + IMAGE_TOKENS + AUDIO_TOKENS);
    const tools = { ...valid, tools: [{ name: 'search', description: 'd'.repeat(100), inputSchema: { type: 'object' } }] } as unknown as SamplingRequest;
    assert.ok(estimatePromptTokens(tools) >= base + 25);
  });
});

describe('costUsd and globs', () => {
  it('prices usage per million tokens, 0 without a price', () => {
    assert.equal(costUsd({ cost: { input: 3, output: 15 } }, { inputTokens: 1_000_000, outputTokens: 100_000 }), 4.5);
    assert.equal(costUsd({}, { inputTokens: 5000, outputTokens: 5000 }), 0);
  });

  it('matches whole names, * and ?, case-insensitively, with regex characters literal', () => {
    assert.ok(compileGlob('git*').test('GitHub'));
    assert.ok(!compileGlob('git*').test('my-github'));
    assert.ok(compileGlob('fs-?').test('fs-1'));
    assert.ok(!compileGlob('a.b').test('axb'));
    assert.ok(compileGlob('claude-*(beta)').test('claude-3(beta)'));
  });
});

describe('parseSamplingRequest: the hand check of common requests', () => {
  const text = (t: string) => ({ type: 'text', text: t });
  const base = { messages: [{ role: 'user', content: text('hi') }], maxTokens: 10 };
  // Common requests (the hand check answers them), and near misses around every rule it has
  // (the schema must answer those): either way the result or the error must be the schema's.
  const inputs: unknown[] = [
    base,
    { maxTokens: 5, messages: [] },
    {
      ...base,
      messages: [
        { content: [text('a'), text('')], role: 'assistant' },
        { role: 'user', content: [] },
      ],
    },
    { systemPrompt: 'sys', stopSequences: ['x', ''], temperature: 0.2, metadata: { user: 'u', nested: { a: [1] } }, ...base },
    { ...base, modelPreferences: { speedPriority: 0.5, hints: [{ name: 'gpt' }, {}], costPriority: 0, intelligencePriority: 1 } },
    { ...base, modelPreferences: {} },
    { ...base, extra: true },
    { ...base, systemPrompt: undefined },
    { ...base, _meta: { progressToken: 1 } },
    { ...base, messages: [{ role: 'user', content: { ...text('a'), annotations: { priority: 1 } } }] },
    { ...base, messages: [{ role: 'user', content: { ...text('a'), extra: 1 } }] },
    { ...base, messages: [{ role: 'user', content: text('a'), _meta: {} }] },
    { ...base, messages: [{ role: 'system', content: text('a') }] },
    { ...base, messages: [{ role: 'user', content: { type: 'text', text: 5 } }] },
    { ...base, messages: [{ role: 'user', content: [text('a'), null] }] },
    // biome-ignore lint/suspicious/noSparseArray: a hole is one of the near misses
    { ...base, messages: [{ role: 'user', content: [, text('a')] }] },
    { ...base, messages: [{ role: 'user', content: { type: 'image', data: 'aGk=', mimeType: 'image/png' } }] },
    { ...base, messages: [{ role: 'user', content: [text('a'), { type: 'image', data: 'not base64!', mimeType: 'image/png' }] }] },
    { ...base, messages: 'hi' },
    { ...base, messages: [null] },
    { ...base, maxTokens: 2.5 },
    { ...base, maxTokens: 2 ** 53 },
    { ...base, maxTokens: '10' },
    { ...base, maxTokens: 0 },
    { ...base, temperature: Number.POSITIVE_INFINITY },
    { ...base, temperature: Number.NaN },
    { ...base, temperature: '0.5' },
    { ...base, systemPrompt: 3 },
    { ...base, stopSequences: ['a', 1] },
    // biome-ignore lint/suspicious/noSparseArray: a hole is one of the near misses
    { ...base, stopSequences: ['a', , 'b'] },
    { ...base, stopSequences: 'a' },
    { ...base, metadata: null },
    { ...base, metadata: 'm' },
    { ...base, metadata: [1] },
    { ...base, modelPreferences: { hints: [{ name: 1 }] } },
    { ...base, modelPreferences: { hints: [{ name: 'a', other: 1 }] } },
    { ...base, modelPreferences: { hints: 'a' } },
    { ...base, modelPreferences: { costPriority: 1.5 } },
    { ...base, modelPreferences: { speedPriority: -0.1 } },
    { ...base, modelPreferences: { intelligencePriority: Number.NaN } },
    { ...base, modelPreferences: { hints: [], surprise: 1 } },
    { ...base, tools: [{ name: 't', inputSchema: { type: 'object' } }], toolChoice: { mode: 'auto' } },
    { ...base, includeContext: 'none' },
    Object.assign(Object.create({ temperature: 'inherited' }), base),
  ];

  it('gives exactly what the schema gives, or the error the schema gives', () => {
    for (const input of inputs) {
      const expected = CreateMessageRequestParamsSchema.safeParse(input);
      let got: unknown;
      let error: unknown;
      try {
        got = parseSamplingRequest(input);
      } catch (err) {
        error = err;
      }
      const label = JSON.stringify(input);
      if (!expected.success) {
        assert.ok(error instanceof McpRouteError, `${label} must be refused`);
        // The message is the schema's: its first issue's path is named.
        assert.match(error.message, /invalid sampling\/createMessage params: /, label);
        continue;
      }
      if ((expected.data.maxTokens ?? 0) < 1) {
        assert.ok(error instanceof McpRouteError, `${label}: maxTokens must be positive`);
        continue;
      }
      assert.equal(error, undefined, `${label} must pass`);
      // Same keys in the same order (an audit line with content prints them), same values.
      assert.equal(JSON.stringify(got), JSON.stringify(expected.data), label);
      assert.deepEqual(got, expected.data, label);
      assert.notEqual(got, input, `${label}: a copy, as the schema returns`);
    }
  });

  it('refuses with the schema message for a near miss of the common shape', () => {
    const err = invalid({ ...base, messages: [{ role: 'user', content: { type: 'text', text: 5 } }] });
    const schema = CreateMessageRequestParamsSchema.safeParse({ ...base, messages: [{ role: 'user', content: { type: 'text', text: 5 } }] });
    assert.equal(schema.success, false);
    assert.match(err.message, /messages\[0\]\.content\.text: /);
  });
});
