// A server author's test: the server under test talks to an in-process SDK Client whose
// sampling is answered by mcp-route with a mock provider, so every answer is fixed and the
// test needs no keys and no network. Run: node --test examples/server-test/
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createRouter, createSamplingHandler, samplingCapabilities } from 'mcp-route';
import { createCommitServer } from './server.mjs';

// The policy as an object: `match` picks an answer by the prompt's text; `status` fails
// like a provider would, so error paths are testable too.
const policy = {
  version: 1,
  providers: {
    mock: {
      type: 'mock',
      responses: [
        { match: 'readme', text: 'docs: explain installation in the README\nextra line the tool must drop' },
        { match: 'overload', status: 529 },
        { text: 'chore: update files' },
      ],
    },
  },
  models: { 'mock-model': { provider: 'mock', aliases: ['claude-haiku'] } },
  defaults: { models: ['mock-model'], retry: { attempts: 2, initialDelay: '1ms', maxDelay: '5ms' } },
};

async function connect(router) {
  const server = createCommitServer();
  const client = new Client({ name: 'test-host', version: '1.0.0' }, { capabilities: samplingCapabilities(router) });
  client.setRequestHandler(CreateMessageRequestSchema, createSamplingHandler(router));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return { client, close: () => Promise.all([client.close(), server.close()]) };
}

const text = (result) => result.content.map((b) => b.text).join('');

describe('commit_message tool', () => {
  const outcomes = [];
  let router;
  let session;
  before(async () => {
    router = createRouter(policy, { onOutcome: (o) => outcomes.push(o) });
    session = await connect(router);
  });
  after(async () => {
    await session.close();
    await router.close();
  });

  it('returns the first line of what the model wrote', async () => {
    const result = await session.client.callTool({ name: 'commit_message', arguments: { diff: '+ README: how to install' } });
    assert.equal(result.isError, undefined);
    assert.equal(text(result), 'docs: explain installation in the README');
    assert.equal(outcomes.at(-1)?.model, 'mock-model');
  });

  it('reports an error when every attempt to sample fails', async () => {
    const result = await session.client.callTool({ name: 'commit_message', arguments: { diff: 'overload' } });
    assert.equal(result.isError, true);
    assert.match(text(result), /could not draft a message: .*mcp-route: every candidate failed/);
    assert.equal(outcomes.at(-1)?.outcome, 'failed');
    assert.equal(outcomes.at(-1)?.attempts.length, 2);
  });
});
