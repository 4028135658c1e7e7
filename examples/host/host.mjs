// An MCP host built on the SDK that answers its servers' sampling with mcp-route: a policy,
// a router, and three lines on the Client. Runs with no API keys (policy.yaml uses a mock).
// Usage: node examples/host/host.mjs ["a question"]   (after `npm run build`)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createRouter, createSamplingHandler, samplingCapabilities } from 'mcp-route';

const here = (file) => new URL(file, import.meta.url).pathname;
const question = process.argv[2] ?? 'What is the capital of France?';

const router = createRouter(here('policy.yaml'));

// The three lines: declare sampling as the policy allows it, and answer it with the router.
const client = new Client({ name: 'example-host', version: '1.0.0' }, { capabilities: samplingCapabilities(router) });
const serverName = () => client.getServerVersion()?.name;
client.setRequestHandler(CreateMessageRequestSchema, createSamplingHandler(router, { serverName }));

await client.connect(new StdioClientTransport({ command: process.execPath, args: [here('server.mjs')], stderr: 'inherit' }));
try {
  const ok = await client.callTool({ name: 'ask', arguments: { question } });
  console.log(`ask -> ${ok.content[0]?.text}`);
  // The policy's `no-essays` rule refuses big requests; the server sees a JSON-RPC error -1.
  const refused = await client.callTool({ name: 'ask', arguments: { question, maxTokens: 5000 } });
  console.log(`ask (5000 tokens) -> ${refused.content[0]?.text}`);
} finally {
  await client.close();
  await router.close();
}
