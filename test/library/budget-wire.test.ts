// What an MCP server really receives when a budget says no: a real SDK server asks a real SDK
// client whose sampling handler is the router. -32001 names the budget and when it resets,
// in the message and in `data`; `onExceed: wait` holds the request, then rejects the same way.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, McpError, type CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import { createRouter, createSamplingHandler, registerProvider, samplingCapabilities, type PolicyDocument, type Router } from 'mcp-route';

// A provider that answers 'slow' only when the test lets it, and says when such a call started:
// "the first request holds the slot" is then a fact, not a guess about timing.
let started: () => void = () => {};
let release: () => void = () => {};
registerProvider('held', (config) => ({
  name: config.name,
  type: config.type,
  async createMessage(request, { model }) {
    const last = request.messages.at(-1)?.content;
    const text = last && !Array.isArray(last) && last.type === 'text' ? last.text : '';
    if (text === 'slow') {
      const go = new Promise<void>((r) => (release = r));
      started();
      await go;
    }
    return { result: { role: 'assistant', model, content: { type: 'text', text: text === 'slow' ? 'late' : 'ok' } }, usage: { inputTokens: 1, outputTokens: 1 } };
  },
}));
const holderStarted = () => new Promise<void>((r) => (started = r));

const policy = (budget: Record<string, unknown>): PolicyDocument => ({
  version: 1,
  providers: { mock: { type: 'held' } },
  models: { 'mock-1': { provider: 'mock', cost: { input: 1, output: 1 } } },
  defaults: { models: ['mock-1'] },
  budgets: [budget as never],
  state: { store: 'memory' },
});

const ask = (text: string): CreateMessageRequestParams => ({ messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens: 10 });

async function linked(router: Router) {
  const server = new McpServer({ name: 'budgeted', version: '1.0.0' });
  const client = new Client({ name: 'host', version: '1.0.0' }, { capabilities: samplingCapabilities(router) });
  client.setRequestHandler(CreateMessageRequestSchema, createSamplingHandler(router, { serverName: () => client.getServerVersion()?.name }));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
  return {
    sample: (params: CreateMessageRequestParams) => server.server.createMessage(params),
    close: async () => {
      await client.close();
      await server.close();
      await router.close();
    },
  };
}

function budgetError(name: string, check: (data: { reason: string; budget: string; resetsAt: string }, message: string) => void) {
  return (err: unknown) => {
    assert.ok(err instanceof McpError, String(err));
    assert.equal(err.code, -32001);
    const data = err.data as { reason: string; budget: string; resetsAt: string };
    assert.equal(data.reason, 'BUDGET_EXCEEDED');
    assert.equal(data.budget, name);
    assert.match(err.message, new RegExp(`mcp-route: budget "${name}" .*is exhausted`));
    check(data, err.message);
    return true;
  };
}

describe('-32001 on the wire', () => {
  it('onExceed: reject names the budget and the calendar reset (next 00:00 UTC for per: day)', async () => {
    const session = await linked(createRouter(policy({ name: 'tiny-daily', usd: 0.000001, per: 'day', onExceed: 'reject' })));
    try {
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      await assert.rejects(
        session.sample(ask('anything')),
        budgetError('tiny-daily', (data, message) => {
          // A midnight crossing during the test moves the reset by a day; both are right.
          const resets = Date.parse(data.resetsAt);
          assert.ok(resets === midnight.getTime() || resets === midnight.getTime() + 86_400_000, data.resetsAt);
          assert.match(message, /\(usd\/day, global\).*limit \$0\.000001/);
          assert.ok(message.endsWith(`; resets at ${data.resetsAt}`), message);
        }),
      );
    } finally {
      await session.close();
    }
  });

  it('onExceed: wait holds the request until maxWait, then rejects with the same error', async () => {
    const session = await linked(createRouter(policy({ name: 'one-at-a-time', concurrency: 1, onExceed: 'wait', maxWait: '400ms' })));
    try {
      const inCall = holderStarted();
      const first = session.sample(ask('slow'));
      await inCall; // the first holds the only slot
      const started = Date.now();
      await assert.rejects(
        session.sample(ask('second')),
        budgetError('one-at-a-time', (data, message) => {
          assert.match(message, /after waiting \d+ ms/);
          // Concurrency frees when the holder ends, not at a clock time; resetsAt is the lease end, the latest it can be.
          assert.ok(message.endsWith(`; frees when a request in flight ends (at the latest ${data.resetsAt})`), message);
        }),
      );
      const waited = Date.now() - started;
      assert.ok(waited >= 380, `waited ${waited} ms, not maxWait`);
      release();
      assert.equal(((await first).content as { text: string }).text, 'late', 'the holder is answered');
    } finally {
      await session.close();
    }
  });

  it('onExceed: wait admits the request as soon as the slot frees', async () => {
    const session = await linked(createRouter(policy({ name: 'one-at-a-time', concurrency: 1, onExceed: 'wait', maxWait: '30s' })));
    try {
      const inCall = holderStarted();
      const first = session.sample(ask('slow'));
      await inCall;
      const second = session.sample(ask('second'));
      let answered = false;
      void second.then(() => (answered = true));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(answered, false, 'the second waits while the first holds the slot');
      release();
      assert.equal(((await second).content as { text: string }).text, 'ok');
      assert.equal(((await first).content as { text: string }).text, 'late');
    } finally {
      await session.close();
    }
  });
});
