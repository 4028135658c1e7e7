// A small MCP server that relies on sampling, as many do: its `summarize` tool asks the
// client for a completion. Run it behind mcp-route and the policy decides which model
// answers, even when the host (Claude Desktop, Cursor...) does not implement sampling.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'demo-summarizer', version: '1.0.0' });

server.registerTool(
  'summarize',
  {
    description: 'Summarize a text in one sentence, using the client\'s LLM (MCP sampling).',
    inputSchema: { text: z.string().describe('the text to summarize') },
  },
  async ({ text }) => {
    try {
      const result = await server.server.createMessage({
        systemPrompt: 'You summarize texts in one plain sentence.',
        messages: [{ role: 'user', content: { type: 'text', text: `Summarize:\n\n${text}` } }],
        // Asks for a "sonnet"-class model; the demo policy maps that to a provider that is
        // down (HTTP 529), so the answer shows mcp-route's retry and fallback.
        modelPreferences: { hints: [{ name: 'sonnet' }], intelligencePriority: 0.8 },
        maxTokens: 200,
      });
      const answer = result.content.type === 'text' ? result.content.text : JSON.stringify(result.content);
      const route = result._meta?.['mcp-route'];
      const how = route ? `${route.provider}/${route.model}, ${route.attempts} attempt(s)` : result.model;
      return { content: [{ type: 'text', text: `${answer}\n(answered by ${how})` }] };
    } catch (err) {
      return { isError: true, content: [{ type: 'text', text: `sampling failed: ${err.message}` }] };
    }
  },
);

await server.connect(new StdioServerTransport());
