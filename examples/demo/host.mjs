// The no-keys demo: plays the host (like Claude Desktop would), starts the demo server
// behind `mcp-route run --policy policies/demo.yaml`, calls its `summarize` tool and prints
// the answer. The host declares no sampling; mcp-route answers with the policy's mock model.
// Usage: npm run build && npm run demo   (or: node examples/demo/host.mjs "some text")
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const text =
  process.argv[2] ??
  'MCP servers can ask the client for LLM completions (sampling). Most hosts do not implement it, ' +
    'so mcp-route sits in between, answers those requests under a policy, and passes everything else through.';

const transport = new StdioClientTransport({
  command: process.execPath,
  args: ['dist/cli/main.js', 'run', '--policy', 'policies/demo.yaml', '--log-level', 'info', '--', process.execPath, 'examples/demo/server.mjs'],
  cwd: root,
  stderr: 'inherit',
});
const client = new Client({ name: 'demo-host', version: '1.0.0' }, { capabilities: {} });
await client.connect(transport);
const { tools } = await client.listTools();
console.log(`server: ${client.getServerVersion()?.name}; tools: ${tools.map((t) => t.name).join(', ')}`);
const result = await client.callTool({ name: 'summarize', arguments: { text } });
for (const block of result.content) if (block.type === 'text') console.log(`summarize -> ${block.text}`);
await client.close();
if (result.isError) process.exitCode = 1;
