// A dual-era MCP server on the real SDK v2 (`@modelcontextprotocol/server` 2.4): `serveStdio`
// serves a 2025 host (initialize; the SDK's own shim turns input_required into pushed
// sampling) and a 2026-07-28 host (server/discover; input_required results). Its tools ask for
// sampling the 2026 way. With MRTR_WIRE_LOG set, every line it reads and writes is appended
// to that file as {dir: "in"|"out", message}, so tests can assert what mcp-route sent it.
import { appendFileSync } from 'node:fs';
import { McpServer, inputRequired } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

const wireLog = process.env.MRTR_WIRE_LOG;
if (wireLog) {
  const record = (dir, chunk) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        appendFileSync(wireLog, `${JSON.stringify({ dir, message: JSON.parse(line) })}\n`);
      } catch {
        appendFileSync(wireLog, `${JSON.stringify({ dir, raw: line })}\n`);
      }
    }
  };
  process.stdin.on('data', (chunk) => record('in', chunk));
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    record('out', Buffer.from(chunk));
    return write(chunk, ...rest);
  };
}

const text = (t) => ({ content: [{ type: 'text', text: t }] });
const ask = (prompt, extra = {}) => inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100, ...extra });
const answerText = (response) => {
  const content = Array.isArray(response?.content) ? response.content[0] : response?.content;
  return content?.text;
};
const progress = async (ctx, value, total) => {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: value, total } });
};

function build() {
  // Resource subscriptions advertised, so a 2026 client's subscriptions/listen can ask for updates.
  const server = new McpServer({ name: 'mrtr-fixture', version: '1.0.0' }, { capabilities: { logging: {}, resources: { subscribe: true, listChanged: true } } });

  server.registerResource('note', 'note://a', { description: 'a note that `touch` updates' }, async (uri) => ({ contents: [{ uri: uri.href, text: 'note a' }] }));

  server.registerTool(
    'touch',
    { description: 'updates a resource and the tool list, and logs: notifications tied to no request', inputSchema: z.object({ uri: z.string() }) },
    async ({ uri }, ctx) => {
      await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: `touching ${uri}` } });
      await server.server.sendResourceUpdated({ uri });
      server.sendToolListChanged();
      return text(`touched ${uri}`);
    },
  );

  server.registerTool('echo', { description: "no input needed (the benchmark's plain round trip)", inputSchema: z.object({ text: z.string() }) }, async ({ text: t }) => text(t));

  server.registerTool('ask', { description: 'one sampling round', inputSchema: z.object({ q: z.string() }) }, async ({ q }, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.s;
    if (!answer) return inputRequired({ inputRequests: { s: ask(q) }, requestState: `state-1 "quoted" ü ${'x'.repeat(20)}` });
    return text(`answer: ${answerText(answer)}; state: ${ctx.mcpReq.requestState()}`);
  });

  server.registerTool('ask-twice', { description: 'two sampling rounds, the second built on the first', inputSchema: z.object({}) }, async (_args, ctx) => {
    const state = ctx.mcpReq.requestState();
    const responses = ctx.mcpReq.inputResponses ?? {};
    if (state === undefined) return inputRequired({ inputRequests: { first: ask('first question') }, requestState: 'round-1' });
    if (state === 'round-1') return inputRequired({ inputRequests: { second: ask(`second question after ${answerText(responses.first)}`) }, requestState: 'round-2' });
    return text(`second: ${answerText(responses.second)}`);
  });

  server.registerTool('ask-and-confirm', { description: 'sampling and elicitation in one round', inputSchema: z.object({}) }, async (_args, ctx) => {
    const responses = ctx.mcpReq.inputResponses ?? {};
    if (!responses.draft || !responses.confirm) {
      return inputRequired({
        inputRequests: {
          draft: ask('write a draft'),
          confirm: inputRequired.elicit({ message: 'Publish the draft?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } }),
        },
        requestState: 'mixed-state',
      });
    }
    return text(`draft: ${answerText(responses.draft)}; confirmed: ${responses.confirm.action}/${responses.confirm.content?.ok}; state: ${ctx.mcpReq.requestState()}`);
  });

  server.registerTool('busy', { description: 'sheds load once (requestState only), then asks', inputSchema: z.object({}) }, async (_args, ctx) => {
    const state = ctx.mcpReq.requestState();
    if (state === undefined) return inputRequired({ requestState: 'come-back-later' });
    if (state === 'come-back-later') return inputRequired({ inputRequests: { s: ask('now') }, requestState: 'asked' });
    return text(`after shedding: ${answerText(ctx.mcpReq.inputResponses?.s)}`);
  });

  server.registerTool('progress', { description: 'reports progress 1..2 of 2 in each of its two legs', inputSchema: z.object({}) }, async (_args, ctx) => {
    await progress(ctx, 1, 2);
    await progress(ctx, 2, 2);
    if (!ctx.mcpReq.inputResponses?.s) return inputRequired({ inputRequests: { s: ask('progress') }, requestState: 'p' });
    return text(`done: ${answerText(ctx.mcpReq.inputResponses.s)}`);
  });

  server.registerTool('always-asks', { description: 'never satisfied', inputSchema: z.object({}) }, async (_args, ctx) => {
    const n = Number(ctx.mcpReq.requestState() ?? 0) + 1;
    return inputRequired({ inputRequests: { [`s${n}`]: ask(`again ${n}`) }, requestState: String(n) });
  });

  server.registerTool('slow-after-sampling', { description: 'asks, then works until cancelled', inputSchema: z.object({}) }, async (_args, ctx) => {
    if (!ctx.mcpReq.inputResponses?.s) return inputRequired({ inputRequests: { s: ask('then wait') }, requestState: 'w' });
    await new Promise((resolve) => {
      if (ctx.mcpReq.signal.aborted) return resolve();
      ctx.mcpReq.signal.addEventListener('abort', resolve, { once: true });
      setTimeout(resolve, 20_000).unref();
    });
    return text('finished anyway');
  });

  server.registerTool('exit-on-repeat', { description: 'asks, then exits when the request is repeated', inputSchema: z.object({}) }, async (_args, ctx) => {
    if (!ctx.mcpReq.inputResponses?.s) return inputRequired({ inputRequests: { s: ask('before exit') } });
    process.exit(3);
  });

  server.registerPrompt('summary', { description: 'a prompt built from a sampled summary', argsSchema: z.object({ topic: z.string() }) }, async ({ topic }, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.s;
    if (!answer) return inputRequired({ inputRequests: { s: ask(`summarise ${topic}`) }, requestState: 'prompt-state' });
    return { messages: [{ role: 'user', content: { type: 'text', text: `summary of ${topic}: ${answerText(answer)}` } }] };
  });

  return server;
}

serveStdio(build);
