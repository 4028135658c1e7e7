// Sampling requests that exercise every conversion, shared by the mapper and provider tests.
import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';

export const PNG = 'iVBORw0KGgo=';
export const WAV = 'UklGRiQAAABXQVZF';

/** A conversation with a system prompt, an image, a parallel tool call and its results (one an error with an image). */
export const fullRequest: CreateMessageRequestParams = {
  systemPrompt: 'You are terse.',
  maxTokens: 256,
  temperature: 0.2,
  stopSequences: ['END'],
  metadata: { user_id: 'u-42', trace: 'abc' },
  tools: [
    { name: 'get_weather', description: 'Weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    { name: 'screenshot', inputSchema: { type: 'object' } },
  ],
  toolChoice: { mode: 'required' },
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Look at this' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
      ],
    },
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
        { type: 'tool_result', toolUseId: 'call_a', content: [{ type: 'text', text: '18C, cloudy' }] },
        {
          type: 'tool_result',
          toolUseId: 'call_b',
          isError: true,
          content: [
            { type: 'text', text: 'partial capture' },
            { type: 'image', data: PNG, mimeType: 'image/png' },
          ],
        },
      ],
    },
  ],
};

export const audioRequest: CreateMessageRequestParams = {
  maxTokens: 50,
  messages: [{ role: 'user', content: { type: 'audio', data: WAV, mimeType: 'audio/wav' } }],
};
