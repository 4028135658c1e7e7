// runProxy in-process with a small limit on frames it must parse, in front of the raw-line
// fixture server: over-limit messages are answered with an error naming their size, never
// dropped silently and never forwarded unread (issue 11, items 9 and 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResultSchema, type CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { Router } from '../../src/router/types.js';
import { runProxy } from '../../src/proxy/proxy.js';
import { createLogger } from '../../src/proxy/log.js';
import { StreamClientTransport } from './stream-transport.js';

const RAW_SERVER = fileURLToPath(new URL('../helpers/faulty/raw-server.mjs', import.meta.url));
const LIMIT = 1024 * 1024;

function echoRouter(calls: unknown[]): Router {
  return {
    policy: {} as Router['policy'],
    async createMessage(params) {
      calls.push(params);
      return { role: 'assistant', content: { type: 'text', text: 'echo' }, model: 'test' } as CreateMessageResult;
    },
    explain() {
      throw new Error('not used');
    },
    async close() {},
  };
}

async function start(env: NodeJS.ProcessEnv = {}) {
  const toProxy = new PassThrough();
  const fromProxy = new PassThrough();
  const calls: unknown[] = [];
  const stderr: string[] = [];
  const exit = runProxy({
    command: process.execPath,
    args: [RAW_SERVER],
    env: { ...process.env, ...env },
    input: toProxy,
    output: fromProxy,
    log: createLogger(
      'warn',
      (t) => t,
      (line) => void stderr.push(line),
    ),
    redact: (t) => t,
    toolsMayBeAllowed: false,
    graceMs: 300,
    maxParsedFrame: LIMIT,
    createRouter: () => echoRouter(calls),
  });
  const client = new Client({ name: 'limits-host', version: '1' }, { capabilities: {} });
  const call = (method: string, params: Record<string, unknown> = {}) => client.request({ method, params } as never, ResultSchema, { timeout: 20_000 }) as Promise<any>;
  return { client, call, calls, stderr, exit, toProxy, connect: () => client.connect(new StreamClientTransport(fromProxy, toProxy)) };
}

test('a sampling request over the parse limit is answered with an error naming its size; the one beside it is served', { timeout: 30_000 }, async () => {
  const p = await start();
  await p.connect();
  try {
    const { responses } = await p.call('faulty/emit', {
      bigImages: [{ id: 'big', imageBytes: 2 * LIMIT }],
      lines: [JSON.stringify({ jsonrpc: '2.0', id: 'small', method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 } })],
      awaitIds: ['big', 'small'],
    });
    const [big] = responses.sbig;
    assert.equal(big.error?.code, -32600, JSON.stringify(big).slice(0, 300));
    assert.match(big.error.message, /^mcp-route: the sampling request is \d+ bytes, over the limit of 1048576 bytes/);
    assert.equal(big.error.data.reason, 'FRAME_TOO_LARGE');
    assert.ok(big.error.data.bytes > 2 * LIMIT);
    assert.equal(responses.ssmall[0].result?.content?.text, 'echo');
    assert.equal(p.calls.length, 1, 'the over-limit request never reached the router');
  } finally {
    await p.client.close();
    assert.equal(await p.exit, 0);
  }
});

test('an initialize response over the parse limit reaches the host as an error naming the limit, not unread', { timeout: 30_000 }, async () => {
  const p = await start({ FAULTY_INIT_PAD: String(2 * LIMIT) });
  await assert.rejects(p.connect(), (err: Error & { code?: number }) => {
    assert.equal(err.code, -32600, err.message);
    assert.match(err.message, /the server's initialize response is \d+ bytes, over the limit of 1048576 bytes/);
    return true;
  });
  p.toProxy.end();
  await p.exit;
});
