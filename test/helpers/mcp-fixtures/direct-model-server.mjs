// A stdio MCP server that calls models directly, the way the 2026 spec tells servers to: the
// official `openai` and `@anthropic-ai/sdk` clients configured only by the usual environment
// variables (OPENAI_BASE_URL / OPENAI_API_KEY, ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY).
// Behind `mcp-route run` those point at mcp-route's model gateway.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

const server = new McpServer({ name: 'direct-caller', version: '1.0.0' });
const weather = { name: 'get_weather', description: 'Weather for a city', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

async function callOpenAI({ model, prompt, stream, tools }) {
  const client = new OpenAI();
  const body = {
    model,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: prompt },
    ],
    max_tokens: 64,
    temperature: 0.2,
    stop: ['END'],
    ...(tools ? { tools: [{ type: 'function', function: { name: weather.name, description: weather.description, parameters: weather.schema } }], tool_choice: 'auto' } : {}),
  };
  if (!stream) {
    const r = await client.chat.completions.create(body);
    const m = r.choices[0].message;
    return {
      text: m.content,
      model: r.model,
      toolCalls: m.tool_calls?.map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) })) ?? [],
      usage: r.usage,
      finish: r.choices[0].finish_reason,
    };
  }
  const s = client.chat.completions.stream({ ...body, stream_options: { include_usage: true } });
  const deltas = [];
  s.on('content', (d) => deltas.push(d));
  const r = await s.finalChatCompletion();
  const m = r.choices[0].message;
  return {
    text: m.content,
    deltas,
    model: r.model,
    toolCalls: m.tool_calls?.map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) })) ?? [],
    usage: r.usage,
    finish: r.choices[0].finish_reason,
  };
}

async function callAnthropic({ model, prompt, stream, tools }) {
  const client = new Anthropic();
  const body = {
    model,
    system: 'Be brief.',
    messages: [{ role: 'user', content: prompt }],
    max_tokens: 64,
    temperature: 0.2,
    stop_sequences: ['END'],
    ...(tools ? { tools: [{ name: weather.name, description: weather.description, input_schema: weather.schema }] } : {}),
  };
  let r;
  const deltas = [];
  if (stream) {
    const s = client.messages.stream(body);
    s.on('text', (d) => deltas.push(d));
    r = await s.finalMessage();
  } else {
    r = await client.messages.create(body);
  }
  const text = r.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('');
  const toolCalls = r.content.filter((b) => b.type === 'tool_use').map((b) => ({ name: b.name, arguments: b.input }));
  return { text, deltas, model: r.model, toolCalls, usage: r.usage, finish: r.stop_reason };
}

server.registerTool(
  'chat',
  { inputSchema: { api: z.enum(['openai', 'anthropic']), model: z.string(), prompt: z.string(), stream: z.boolean().optional(), tools: z.boolean().optional() } },
  async (args) => {
    try {
      const out = args.api === 'openai' ? await callOpenAI(args) : await callAnthropic(args);
      return { content: [{ type: 'text', text: JSON.stringify({ ok: true, ...out }) }] };
    } catch (err) {
      return {
        content: [{ type: 'text', text: JSON.stringify({ ok: false, status: err.status, message: err.message, retryAfter: err.headers?.get?.('retry-after') ?? null, body: err.error ?? null }) }],
      };
    }
  },
);

server.registerTool('env', { inputSchema: {} }, async () => {
  const picked = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(OPENAI|ANTHROPIC)_|_KEY$/.test(k)));
  return { content: [{ type: 'text', text: JSON.stringify(picked) }] };
});

await server.connect(new StdioServerTransport());
