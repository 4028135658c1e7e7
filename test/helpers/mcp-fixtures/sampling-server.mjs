// A real MCP server (SDK McpServer over stdio) used as the server behind mcp-route in
// end-to-end tests and the proxy benchmark. Each tool exercises one thing the proxy must
// carry: sampling (with tools, hints, cancellation), progress, notifications, crashes,
// non-JSON output on stdout, large results, and the environment it was given.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CreateMessageResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const server = new McpServer({ name: process.env.FIXTURE_NAME ?? 'fixture-server', version: '1.0.0' }, { capabilities: { logging: {} } });
const cancelled = [];
const text = (t) => ({ content: [{ type: 'text', text: t }] });

server.registerTool('echo', { description: 'echo', inputSchema: { text: z.string() } }, async ({ text: t }) => text(t));

server.registerTool(
  'sample',
  {
    description: 'asks the client for a completion and returns the whole result (or error) as JSON',
    inputSchema: {
      prompt: z.string(),
      maxTokens: z.number().optional(),
      hints: z.array(z.string()).optional(),
      systemPrompt: z.string().optional(),
      withTools: z.boolean().optional(),
      cancelAfterMs: z.number().optional(),
    },
  },
  async ({ prompt, maxTokens, hints, systemPrompt, withTools, cancelAfterMs }) => {
    const params = {
      messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
      maxTokens: maxTokens ?? 100,
      ...(hints ? { modelPreferences: { hints: hints.map((name) => ({ name })) } } : {}),
      ...(systemPrompt ? { systemPrompt } : {}),
      ...(withTools
        ? { tools: [{ name: 'get_weather', description: 'weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }], toolChoice: { mode: 'auto' } }
        : {}),
    };
    const controller = new AbortController();
    if (cancelAfterMs !== undefined) setTimeout(() => controller.abort('fixture cancels'), cancelAfterMs);
    const started = Date.now();
    try {
      const result = await server.server.createMessage(params, { signal: controller.signal, timeout: 60_000 });
      return text(JSON.stringify({ ok: true, result }));
    } catch (err) {
      return text(JSON.stringify({ ok: false, code: err.code ?? null, message: String(err.message), data: err.data ?? null, aborted: controller.signal.aborted, ms: Date.now() - started }));
    }
  },
);

server.registerTool('sample-raw', { description: 'sends sampling/createMessage with exactly these params (even malformed ones)', inputSchema: { params: z.string() } }, async ({ params }) => {
  try {
    const result = await server.server.request({ method: 'sampling/createMessage', params: JSON.parse(params) }, CreateMessageResultSchema);
    return text(JSON.stringify({ ok: true, result }));
  } catch (err) {
    return text(JSON.stringify({ ok: false, code: err.code ?? null, message: String(err.message), data: err.data ?? null }));
  }
});

server.registerTool('slow', { description: 'reports progress, then waits until cancelled or done', inputSchema: { steps: z.number(), stepMs: z.number() } }, async ({ steps, stepMs }, extra) => {
  const token = extra._meta?.progressToken;
  for (let i = 1; i <= steps; i++) {
    if (extra.signal.aborted) break;
    if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps, message: `step ${i}` } });
    await new Promise((resolve) => {
      const t = setTimeout(resolve, stepMs);
      extra.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
  if (extra.signal.aborted) cancelled.push(extra.requestId);
  return text(extra.signal.aborted ? 'cancelled' : 'done');
});

server.registerTool('cancelled', { description: 'ids of the slow calls that were cancelled' }, async () => text(JSON.stringify(cancelled)));

server.registerTool('crash', { description: 'exits mid-request', inputSchema: { code: z.number() } }, async ({ code }) => {
  process.exit(code);
});

server.registerTool('noise', { description: 'writes non-JSON to stdout, then answers' }, async () => {
  process.stdout.write('this is not JSON-RPC, a stray console.log\n');
  process.stdout.write('{"half": \n');
  return text('after noise');
});

server.registerTool('big', { description: 'a text result of `bytes` bytes', inputSchema: { bytes: z.number() } }, async ({ bytes }) => text('x'.repeat(bytes)));

server.registerTool('notify', { description: 'sends a log message notification and a list-changed notification' }, async () => {
  await server.server.sendLoggingMessage({ level: 'info', data: 'hello from the fixture' });
  server.sendResourceListChanged();
  return text('notified');
});

server.registerTool('env', { description: 'the value of one environment variable', inputSchema: { name: z.string() } }, async ({ name }) => text(JSON.stringify({ value: process.env[name] ?? null })));

server.registerTool('pid', { description: 'the server process id (each serve session has its own)' }, async () => text(JSON.stringify({ pid: process.pid })));

server.registerResource('hello', 'fixture://hello', { mimeType: 'text/plain' }, async (uri) => ({ contents: [{ uri: uri.href, text: 'hello resource' }] }));
server.registerResource('item', new ResourceTemplate('fixture://items/{id}', { list: undefined }), { mimeType: 'application/json' }, async (uri, { id }) => ({
  contents: [{ uri: uri.href, text: JSON.stringify({ id }) }],
}));
server.registerPrompt('greet', { description: 'greets', argsSchema: { name: z.string() } }, ({ name }) => ({
  messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}!` } }],
}));

if (process.env.FIXTURE_STDERR) process.stderr.write(`${process.env.FIXTURE_STDERR}\n`);
// Lifecycle knobs: a server that outlives its stdin, or even ignores SIGTERM, is what the
// proxy's SIGTERM/SIGKILL escalation is for.
if (process.env.FIXTURE_PID_FILE) (await import('node:fs')).writeFileSync(process.env.FIXTURE_PID_FILE, String(process.pid));
if (process.env.FIXTURE_IGNORE_STDIN_CLOSE) setInterval(() => {}, 1000);
if (process.env.FIXTURE_IGNORE_SIGTERM) process.on('SIGTERM', () => process.stderr.write('fixture: ignoring SIGTERM\n'));
await server.connect(new StdioServerTransport());
