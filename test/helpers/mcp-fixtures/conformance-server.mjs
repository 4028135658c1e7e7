// A real MCP server (SDK McpServer over stdio) with the tools the official conformance suite
// (@modelcontextprotocol/conformance) calls in its server scenarios, so `npm run conformance`
// can run the suite against `mcp-route serve` wrapping it. Behaviour follows each scenario's
// written requirements: a fixed text, three increasing progress notifications, and sampling.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CreateMessageResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const server = new McpServer({ name: 'conformance-fixture', version: '1.0.0' }, { capabilities: { logging: {} } });
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

server.registerTool('test_simple_text', { description: 'returns a fixed text' }, async () => text('This is a simple text response for testing.'));

server.registerTool('test_tool_with_progress', { description: 'reports progress 0, 50, 100 of 100' }, async (extra) => {
  const token = extra._meta?.progressToken;
  for (const progress of [0, 50, 100]) {
    if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total: 100 } });
    if (progress < 100) await sleep(50);
  }
  return text('progress tool done');
});

server.registerTool('test_sampling', { description: 'asks the client for a completion', inputSchema: { prompt: z.string() } }, async ({ prompt }) => {
  const caps = server.server.getClientCapabilities();
  if (!caps?.sampling) return { ...text('the client does not support sampling'), isError: true };
  const result = await server.server.request(
    { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 } },
    CreateMessageResultSchema,
  );
  const answer = result.content.type === 'text' ? result.content.text : JSON.stringify(result.content);
  return text(`LLM response: ${answer}`);
});

await server.connect(new StdioServerTransport());
