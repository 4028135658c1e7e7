// A stdio MCP server that needs sampling: its `ask` tool forwards a question to the client's
// LLM through sampling/createMessage. Any server like this one works with the host example.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'ask-server', version: '1.0.0' });

server.registerTool(
  'ask',
  {
    description: "Answer a question with the client's LLM (MCP sampling).",
    inputSchema: { question: z.string(), maxTokens: z.number().int().positive().optional() },
  },
  async ({ question, maxTokens }) => {
    try {
      const result = await server.server.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: question } }],
        modelPreferences: { hints: [{ name: 'haiku' }], speedPriority: 1 },
        maxTokens: maxTokens ?? 100,
      });
      const text = result.content.type === 'text' ? result.content.text : JSON.stringify(result.content);
      return { content: [{ type: 'text', text: `${text} [model: ${result.model}]` }] };
    } catch (err) {
      // The router's refusals and failures arrive as JSON-RPC errors with a code and a reason.
      return { isError: true, content: [{ type: 'text', text: `sampling failed (${err.code}): ${err.message}` }] };
    }
  },
);

await server.connect(new StdioServerTransport());
