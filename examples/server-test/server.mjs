// The server under test: a "commit message" tool that drafts text with the client's LLM via
// sampling. A server author's code, unchanged for tests: the test decides who answers.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export function createCommitServer() {
  const server = new McpServer({ name: 'commit-writer', version: '1.0.0' });
  server.registerTool(
    'commit_message',
    {
      description: 'Draft a one-line commit message for a diff.',
      inputSchema: { diff: z.string() },
    },
    async ({ diff }) => {
      try {
        const result = await server.server.createMessage({
          systemPrompt: 'Write a one-line conventional commit message for the diff.',
          messages: [{ role: 'user', content: { type: 'text', text: `Diff:\n${diff}` } }],
          modelPreferences: { hints: [{ name: 'claude-haiku' }], costPriority: 1 },
          maxTokens: 60,
        });
        if (result.content.type !== 'text') throw new Error(`expected text, got ${result.content.type}`);
        const line = result.content.text.split('\n')[0].trim();
        return { content: [{ type: 'text', text: line }] };
      } catch (err) {
        return { isError: true, content: [{ type: 'text', text: `could not draft a message: ${err.message}` }] };
      }
    },
  );
  return server;
}
